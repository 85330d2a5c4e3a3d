import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthCredentials, BaseUser, RequiresOptions, UnauthenticatedUser } from '@portcullis/core';
import { createGuard } from '@portcullis/core/adapter';
import { states, toConnection, type PlatformRequest } from './native.js';
import { PUBLIC_KEY, REQUIRES_KEY } from './tokens.js';

/** Where the guard leaves the principal: the platform request (HTTP) or the socket (websockets). */
export interface Principal<U extends BaseUser = BaseUser> {
  /** The request's user: the app's user type, or anonymous. */
  user: U | UnauthenticatedUser;
  /** The request's credentials (scopes). */
  auth: AuthCredentials;
}

function holder(context: ExecutionContext): Partial<Principal> {
  if (context.getType() === 'ws') return context.switchToWs().getClient<Partial<Principal>>();
  return context.switchToHttp().getRequest<Partial<Principal>>();
}

/**
 * Guards a controller method (or every method of a controller): every scope must
 * be held. Default 403; `status` and `redirect` as in `RequiresOptions`. The
 * options are checked here, when the class is defined, not on the first request.
 * `PortcullisModule.forRoot` runs it, with the app's authentication, as a global guard.
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
  return SetMetadata(REQUIRES_KEY, createGuard(scopes, options));
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
 * `trustProxy` do not decide it). `undefined` on a websocket message, and when the
 * runtime no longer knows the socket's address.
 *
 * @example
 * ```ts
 * @Post('login')
 * @Public()
 * login(@ClientAddress() address: string | undefined) { audit.info({ event: 'login', address }); }
 * ```
 */
export const ClientAddress = createParamDecorator((_data: unknown, context: ExecutionContext): string | undefined => {
  if (context.getType() !== 'http') return undefined;
  const req = context.switchToHttp().getRequest<PlatformRequest>();
  return (states.connection(req) ?? toConnection(req, Date.now)).clientAddress;
});
