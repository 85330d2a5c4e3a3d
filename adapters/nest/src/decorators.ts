import { SetMetadata, UseGuards, applyDecorators, createParamDecorator, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { AuthCredentials, BaseUser, RequiresOptions, UnauthenticatedUser } from '@portcullis/core';
import { createGuard, type Guard } from '@portcullis/core/adapter';
import { states, toConnection, type PlatformRequest } from './native.js';
import { socketMayPass, socketPrincipal } from './socket.js';
import { PUBLIC_KEY, REQUIRES_KEY } from './tokens.js';

/** Where the guard leaves the principal: the platform request (HTTP) or the socket (websockets). */
export interface Principal<U extends BaseUser = BaseUser> {
  /** The request's user: the app's user type, or anonymous. */
  user: U | UnauthenticatedUser;
  /** The request's credentials (scopes). */
  auth: AuthCredentials;
  /**
   * On a websocket set up by `PortcullisWsAdapter`: the client's address at the upgrade
   * (resolved through `trustedProxies`). Absent on HTTP requests: use `@ClientAddress()`.
   */
  clientAddress?: string | undefined;
}

function holder(context: ExecutionContext): Partial<Principal> {
  if (context.getType() !== 'ws') return context.switchToHttp().getRequest<Partial<Principal>>();
  return socketPrincipal(context.switchToWs().getClient<Partial<Principal> | undefined>());
}

/**
 * The websocket half of one `@Requires`: Nest runs no global guard (`APP_GUARD`) on
 * gateway messages, so the decorator brings its own. HTTP requests pass (the global
 * guard decided); a message passes when its socket holds the scopes; any other
 * context (RPC, GraphQL) fails closed, as the global guard does there.
 */
class MessageGuard implements CanActivate {
  constructor(private readonly guard: Guard) {}
  canActivate(context: ExecutionContext): boolean {
    const type = context.getType();
    if (type === 'http') return true;
    return type === 'ws' && socketMayPass(context.switchToWs().getClient<Partial<Principal> | undefined>(), [this.guard], []);
  }
}

/**
 * Guards a controller method (or every method of a controller): every scope must
 * be held. Default 403; `status` and `redirect` as in `RequiresOptions`. The
 * options are checked here, when the class is defined, not on the first request.
 * `PortcullisModule.forRoot` runs it, with the app's authentication, as a global guard.
 *
 * On a websocket gateway (`@nestjs/websockets`), it guards a `@SubscribeMessage`
 * handler (or the whole gateway) per message, against the user the socket's upgrade
 * was accepted with: a refused message is Nest's `WsException('Forbidden resource')`,
 * the socket stays open. With `PortcullisWsAdapter` (`@portcullis/nest/ws`) a
 * gateway's own `@Requires` is also checked on the upgrade, before the socket opens.
 *
 * @example
 * ```ts
 * @Controller('admin')
 * class AdminController {
 *   @Get()
 *   @Requires(['authenticated', 'admin'], { redirect: '/login' })
 *   home(@User() user: AppUser) { return `Hello, ${user.displayName}`; }
 * }
 * ```
 */
export function Requires(scopes: string | readonly string[], options?: RequiresOptions): MethodDecorator & ClassDecorator {
  const guard = createGuard(scopes, options);
  return applyDecorators(SetMetadata(REQUIRES_KEY, guard), UseGuards(new MessageGuard(guard)));
}

/**
 * Marks a method (or controller) as open in `required` mode: anonymous requests
 * reach it. Credentials that are sent are still checked (an invalid one is refused,
 * never treated as anonymous), and a `@Requires` on the same route still applies.
 *
 * @example
 * ```ts
 * @Get('health')
 * @Public()
 * health() { return 'ok'; }
 * ```
 */
export function Public(): MethodDecorator & ClassDecorator {
  return SetMetadata(PUBLIC_KEY, true);
}

/**
 * The request's user (of a websocket message: the socket's), as the global guard
 * set it. Annotate the parameter with the app's user type:
 * `AppUser | UnauthenticatedUser`, or `AppUser` on a route behind
 * `@Requires('authenticated')`.
 *
 * @example
 * ```ts
 * @Get('me')
 * @Requires('authenticated')
 * me(@User() user: AppUser) { return { name: user.displayName }; }
 * ```
 */
export const User = createParamDecorator((_data: unknown, context: ExecutionContext): BaseUser | undefined => holder(context).user);

/**
 * The request's credentials (`AuthCredentials`: its scopes), as the global guard set them.
 *
 * @example
 * ```ts
 * @Get('scopes')
 * scopes(@Auth() auth: AuthCredentials) { return [...auth.scopes]; }
 * ```
 */
export const Auth = createParamDecorator((_data: unknown, context: ExecutionContext): AuthCredentials | undefined => holder(context).auth);

/**
 * The client's address of an HTTP request: the socket's peer, or through the
 * `trustedProxies` of `PortcullisModule.forRoot`, the address that trusted proxies
 * reported (see `Connection.clientAddress`; Express's `trust proxy` and Fastify's
 * `trustProxy` do not decide it). On a websocket message, the address the socket's
 * upgrade came from (`PortcullisWsAdapter`). `undefined` when the runtime no longer
 * knows the socket's address.
 *
 * @example
 * ```ts
 * @Post('login')
 * @Public()
 * login(@ClientAddress() address: string | undefined) { audit.info({ event: 'login', address }); }
 * ```
 */
export const ClientAddress = createParamDecorator((_data: unknown, context: ExecutionContext): string | undefined => {
  if (context.getType() === 'ws') return context.switchToWs().getClient<Partial<Principal>>().clientAddress;
  if (context.getType() !== 'http') return undefined;
  const req = context.switchToHttp().getRequest<PlatformRequest>();
  return (states.connection(req) ?? toConnection(req, Date.now)).clientAddress;
});
