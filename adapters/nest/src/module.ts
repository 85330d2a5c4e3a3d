import { Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { APP_GUARD, HttpAdapterHost } from '@nestjs/core';
import type { AuthenticationOptions, BaseUser } from '@portcullis/core';
import { createAuthenticator, type AuthDecision } from '@portcullis/core/adapter';
import { PortcullisGuard } from './guard.js';
import { sendDescription, toConnection, type PlatformRequest } from './native.js';
import { PORTCULLIS, type Portcullis } from './tokens.js';

/**
 * The Portcullis module: `PortcullisModule.forRoot({ backend, … })` checks the
 * options at startup (a `ConfigurationError` naming the option, before the app
 * listens), provides the authenticator under {@link PORTCULLIS} and registers
 * {@link PortcullisGuard} as a global guard (`APP_GUARD`): every route of the app is
 * authenticated, and `@Requires` / `@Public` take effect. A path no route takes is
 * authenticated too, before Nest's 404 (guards do not run there): in `required` mode
 * it answers 401, so routes cannot be discovered anonymously, and an invalid
 * credential answers as it does everywhere.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [PortcullisModule.forRoot({ backend: basicAuth({ verify }), mode: 'required' })],
 *   controllers: [AdminController],
 * })
 * class AppModule {}
 * ```
 */
@Module({})
export class PortcullisModule implements OnModuleInit {
  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(PORTCULLIS) private readonly portcullis: Portcullis,
  ) {}

  /**
   * Runs before Nest registers its not-found handler (`registerRouterHooks`): the
   * handler it registers is wrapped so the authenticator answers first.
   */
  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter as HttpAdapterHost['httpAdapter'] | undefined;
    if (adapter === undefined) return; // no HTTP server (a microservice)
    const { authenticator } = this.portcullis;
    const register = adapter.setNotFoundHandler.bind(adapter);
    adapter.setNotFoundHandler = (handler: (req: unknown, res: unknown, next?: unknown) => unknown, prefix?: string) =>
      register((req: PlatformRequest, res: unknown, next?: unknown) => {
        const apply = (decision: AuthDecision<BaseUser>): unknown =>
          decision.type === 'respond' ? sendDescription(res, decision.response) : handler(req, res, next);
        const decision = authenticator.run(toConnection(req, authenticator.clock, authenticator.trustedProxies));
        return decision instanceof Promise ? decision.then(apply, () => handler(req, res, next)) : apply(decision);
      }, prefix);
  }

  /** The module with its options checked and frozen; see the class. */
  static forRoot<U extends BaseUser>(options: AuthenticationOptions<U>): DynamicModule {
    const portcullis: Portcullis<U> = Object.freeze({
      authenticator: createAuthenticator(options),
      publicAuthenticator: createAuthenticator({ ...options, mode: 'optional' }),
    });
    return {
      module: PortcullisModule,
      global: true,
      providers: [{ provide: PORTCULLIS, useValue: portcullis }, { provide: APP_GUARD, useClass: PortcullisGuard }],
      exports: [PORTCULLIS],
    };
  }
}
