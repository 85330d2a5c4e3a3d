import { Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { APP_GUARD, HttpAdapterHost } from '@nestjs/core';
import type { AuthenticationOptions, BaseUser } from '@portcullis/core';
import { createAuthenticator, type AuthDecision } from '@portcullis/core/adapter';
import { PortcullisGuard } from './guard.js';
import { nodeRequest, sendDescription, toConnection, type PlatformRequest } from './native.js';
import { PORTCULLIS, type Portcullis } from './tokens.js';

/** Whether `path` is valid percent-encoding (Fastify's router refuses the request otherwise). */
function decodable(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

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
   * handler it registers is wrapped so the authenticator answers first. On the
   * Fastify platform, a URL Fastify's router refuses (`/a%`) reaches no handler: with
   * `new FastifyAdapter({ frameworkErrors })` (of `@portcullis/fastify`) it is
   * authenticated the same way, after the session plugin's hooks, before Fastify's 400.
   */
  async onModuleInit(): Promise<void> {
    const adapter = this.adapterHost.httpAdapter as HttpAdapterHost['httpAdapter'] | undefined;
    if (adapter === undefined) return; // no HTTP server (a microservice)
    const { authenticator } = this.portcullis;
    /** Answers the request when the authenticator does (400, 401, 503…), else goes on. */
    const authenticateFirst = (req: PlatformRequest, res: unknown, go: () => unknown): unknown => {
      const apply = (decision: AuthDecision<BaseUser>): unknown => (decision.type === 'respond' ? sendDescription(res, decision.response) : go());
      const decision = authenticator.run(toConnection(req, authenticator.clock, authenticator.trustedProxies));
      return decision instanceof Promise ? decision.then(apply, go) : apply(decision);
    };
    /** Set on Fastify: answers a URL Fastify's router refuses, which reached the not-found handler without its hooks. */
    let refusedUrl: ((req: PlatformRequest, res: unknown) => boolean) | undefined;
    const register = adapter.setNotFoundHandler.bind(adapter);
    adapter.setNotFoundHandler = (handler: (req: unknown, res: unknown, next?: unknown) => unknown, prefix?: string) =>
      register((req: PlatformRequest, res: unknown, next?: unknown) => {
        if (refusedUrl?.(req, res) === true) return undefined;
        return authenticateFirst(req, res, () => handler(req, res, next));
      }, prefix);
    if (adapter.getType() !== 'fastify') return;
    // Sessions and frameworkErrors on Fastify are @portcullis/fastify's: without that package there is nothing to hook.
    const fastify = await import('@portcullis/fastify').catch(() => undefined);
    if (fastify === undefined) return;
    fastify.frameworkErrorHook(adapter.getInstance(), (request, reply, next) => authenticateFirst(request, reply, () => next()));
    // A refused URL with a method no route has (`OPTIONS /a%`) goes to the not-found handler without any hook: no
    // session is open. It gets what frameworkErrors gives the others: the hooks, authentication, then Fastify's 400.
    type Request = Parameters<typeof fastify.frameworkErrors>[1];
    type Reply = Parameters<typeof fastify.frameworkErrors>[2];
    refusedUrl = (req, res) => {
      const path = (nodeRequest(req).url ?? '/').split('?', 1)[0]!;
      if (decodable(path)) return false;
      // Fastify's own error, naming the path only: a query may carry a token.
      fastify.frameworkErrors(fastify.badUrlError(path), req as Request, res as Reply);
      return true;
    };
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
