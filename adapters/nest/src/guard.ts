import { Inject, Injectable, NotFoundException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { BaseUser, ResponseDescription } from '@portcullis/core';
import type { AuthDecision, Guard } from '@portcullis/core/adapter';
import type { Principal } from './decorators.js';
import { nodeRequest, sendDescription, states, toConnection, type PlatformRequest } from './native.js';
import { socketMayPass } from './socket.js';
import { PORTCULLIS, PUBLIC_KEY, REQUIRES_KEY, type Portcullis } from './tokens.js';

/**
 * Stands for "the answer is sent": the guard never settles, so Nest runs neither the
 * handler nor an exception filter, and the app's filters cannot turn a 401 into a 500.
 * Nothing holds the promise once the request is answered; it is collected with it.
 */
function answered(): Promise<boolean> {
  return new Promise<boolean>(() => {});
}

/**
 * The global guard `PortcullisModule.forRoot` registers (`APP_GUARD`): for every
 * HTTP request it authenticates (sets `user` and `auth` on the platform's request),
 * then checks the route's `@Requires`. Portcullis's answers (400, 401, 403, 503, a
 * redirect…) are sent directly with the platform's response, never thrown, so no
 * exception filter sees them; `@Requires(…, { status: 404 })` throws Nest's own
 * `NotFoundException`, exactly as a path no route takes. Nest runs no global guard
 * on websocket gateway messages (`@Requires` brings its own there); registered on a
 * gateway with `@UseGuards(PortcullisGuard)`, it checks the message handler's
 * `@Requires` against the socket's user (set when the upgrade was accepted);
 * anonymous when there is none.
 *
 * @example
 * ```ts
 * // Registered for you by PortcullisModule.forRoot({ backend }); by hand:
 * // providers: [{ provide: APP_GUARD, useClass: PortcullisGuard }]
 * ```
 */
@Injectable()
export class PortcullisGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(PORTCULLIS) private readonly portcullis: Portcullis,
  ) {}

  /** Authenticates the request and checks the route's `@Requires`; see the class. */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    // Both hold: the controller's @Requires, then the method's (as a router-level and a
    // route-level requires() on Express), never one instead of the other.
    const guards = [context.getClass(), context.getHandler()]
      .map((target) => this.reflector.get<Guard | undefined>(REQUIRES_KEY, target))
      .filter((guard): guard is Guard => guard !== undefined);
    const type = context.getType();
    if (type === 'ws') return this.checkSocket(context, guards);
    if (type !== 'http') return guards.length === 0; // not served by Portcullis: a guarded handler fails closed
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_KEY, targets) === true;
    const { authenticator, publicAuthenticator } = this.portcullis;
    const http = context.switchToHttp();
    const req = http.getRequest<PlatformRequest & Partial<Principal>>();
    const res = http.getResponse<unknown>();
    const connection = toConnection(req, authenticator.clock, authenticator.trustedProxies);
    const apply = (decision: AuthDecision<BaseUser>): boolean | Promise<boolean> => {
      if (decision.type === 'respond') return this.answer(req, res, decision.response);
      req.user = decision.user;
      req.auth = decision.auth;
      states.remember(req, connection, authenticator.challenges);
      for (const guard of guards) {
        const denied = guard.check(connection, { ...decision, challenges: authenticator.challenges });
        if (denied !== null) return this.answer(req, res, denied);
      }
      return true;
    };
    const decision = (isPublic ? publicAuthenticator : authenticator).run(connection);
    return decision instanceof Promise ? decision.then(apply) : apply(decision);
  }

  private answer(req: PlatformRequest, res: unknown, response: ResponseDescription): Promise<boolean> {
    if (response.notFound === true) {
      // Nest's own answer to a path no route takes, through the app's filters as that one goes.
      const raw = nodeRequest(req);
      const url = 'originalUrl' in req && typeof req.originalUrl === 'string' ? req.originalUrl : raw.url;
      throw new NotFoundException(`Cannot ${raw.method ?? 'GET'} ${url ?? '/'}`);
    }
    sendDescription(res, response);
    return answered();
  }

  private checkSocket(context: ExecutionContext, guards: readonly Guard[]): boolean {
    return socketMayPass(context.switchToWs().getClient<Partial<Principal> | undefined>(), guards, this.portcullis.authenticator.challenges);
  }
}
