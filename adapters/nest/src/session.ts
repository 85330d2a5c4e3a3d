import { Catch, UseFilters, createParamDecorator, type ArgumentsHost, type ExceptionFilter, type ExecutionContext } from '@nestjs/common';
import { EXCEPTION_FILTERS_METADATA } from '@nestjs/common/constants.js';
import { AuthenticationError, SessionError, errorResponse, type BaseUser, type LoginOptions, type SessionData } from '@portcullis/core';
import {
  assertCanLogin as coreAssertCanLogin,
  csrfToken as coreCsrfToken,
  describeSessionError,
  login as coreLogin,
  logout as coreLogout,
} from '@portcullis/core/adapter';
import { sendDescription, toConnection, type PlatformRequest } from './native.js';

/**
 * The session of one request, as `@AuthSession()` hands it to a handler: log in,
 * log out, a CSRF token. `U` and `D` are the types of your `sessionAuth<U, D>`:
 * `login` takes that user and exactly the data `retrieveUser` reads back (`data`
 * may be left out only while `D` is the default `SessionData`; then the session
 * holds `{ identity }`). Every method rejects with a `SessionError`
 * (`session_store_unavailable`, `session_insecure_transport`,
 * `session_not_configured`, `method_not_allowed`), which the decorator's filter
 * answers from the core's table (503, 403, 500, 405) before any filter of yours
 * (global, the controller's, or a `@UseFilters` on the same method).
 */
export interface AuthSession<U extends BaseUser = BaseUser, D extends object = SessionData> {
  /**
   * Logs `user` in: a new session id, the old session destroyed server-side,
   * the `keepOnLogin` keys carried over, `data` stored for `retrieveUser`, and the
   * time and `options` (`{ methods, acr }`) of this authentication for step-up guards.
   */
  login(user: U, ...data: SessionData extends D ? [data?: D, options?: LoginOptions] : [data: D, options?: LoginOptions]): Promise<void>;
  /** Destroys the session server-side and deletes the cookie; refuses `GET`/`HEAD` (405). */
  logout(): Promise<void>;
  /** A CSRF token bound to this session, for a hidden `_csrf` form field or the `x-csrf-token` header. */
  csrfToken(): Promise<string>;
  /**
   * Throws, before anything is created, the `SessionError` that `login` would throw
   * without touching the store (a `Secure` cookie over plain HTTP, no session
   * middleware): call it at signup before creating the account.
   */
  assertCanLogin(): void;
}

/**
 * Answers a `SessionError` thrown by a handler (`login`, `logout`, `csrfToken`)
 * with the core's answer: `503` when the store is down, `405` for a logout through
 * `GET`, `403` for a `Secure` cookie over plain HTTP, `500` without session
 * middleware; and an `AuthenticationError` of a login form's `verifyCredentials`
 * (throttled: `429` with `Retry-After`; hashing queue full or throttle store down: `503`). `@AuthSession()` binds it to its method, before every filter of the
 * app (global, the controller's, the method's own `@UseFilters`; a catch-all
 * `@Catch()` included). Bind it yourself with
 * `@UseFilters(SessionErrorFilter)` on a handler that calls the core's session
 * functions directly.
 *
 * @example
 * ```ts
 * @Post('cart')
 * @UseFilters(SessionErrorFilter)
 * async add(@Req() req: Request) { await saveSession(toConnection(req, Date.now), { cart: [] }); }
 * ```
 */
@Catch(SessionError, AuthenticationError)
export class SessionErrorFilter implements ExceptionFilter<SessionError | AuthenticationError> {
  /** Sends the core's answer to `error` with the platform's response. */
  catch(error: SessionError | AuthenticationError, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const connection = toConnection(http.getRequest<PlatformRequest>(), Date.now);
    sendDescription(http.getResponse<unknown>(), error instanceof AuthenticationError ? errorResponse(error, connection) : describeSessionError(error, connection));
  }
}

const sessionErrors = new SessionErrorFilter();

/** The `AuthSession` of a platform request: each call reads the session the platform's middleware opened. */
function authSessionOf(req: PlatformRequest): AuthSession {
  const connection = () => toConnection(req, Date.now);
  return Object.freeze({
    login: (user: BaseUser, data?: SessionData, options?: LoginOptions) => coreLogin(connection(), user, data, options),
    logout: () => coreLogout(connection()),
    csrfToken: () => coreCsrfToken(connection()),
    assertCanLogin: () => coreAssertCanLogin(connection()),
  });
}

/**
 * The request's session as an {@link AuthSession}: `login(user, data)`,
 * `logout()`, `csrfToken()`. Sessions are the platform's: register
 * `@portcullis/express/sessions` (`app.use(sessions(…))`) or
 * `@portcullis/fastify/sessions` (`app.register(sessions, …)`) in `main.ts`, and
 * give `PortcullisModule.forRoot` a `sessionAuth` backend. Annotate the parameter
 * with your user and session data types, those of your `sessionAuth<U, D>`. The
 * decorator also binds {@link SessionErrorFilter} to the method.
 *
 * @example
 * ```ts
 * @Post('login')
 * @Public()
 * async login(@Body() form: LoginForm, @AuthSession() session: AuthSession<Account, { userId: string }>) {
 *   const account = await this.accounts.verify(form.email, form.password);
 *   if (account === null) throw new UnauthorizedException();
 *   await session.login(account, { userId: account.id });
 * }
 * ```
 */
export const AuthSession = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthSession => authSessionOf(context.switchToHttp().getRequest<PlatformRequest>()),
  [
    (target, key) => {
      if (key === undefined) return; // a constructor parameter: no method to bind the filter to
      UseFilters(sessionErrors)(target, key, Object.getOwnPropertyDescriptor(target, key) as PropertyDescriptor);
      // A parameter's decorators run before its method's, so an app's `@UseFilters(…)` on the same
      // method lands after ours in the list, and Nest tries the last one first: a catch-all there
      // would turn our 503/403/405 into its 500. Once the class is decorated, ours goes last.
      queueMicrotask(() => tryFirst(target, key));
    },
  ],
);

/** Puts {@link sessionErrors} last among the filters of method `key` of `target`: the one Nest tries first. */
function tryFirst(target: object, key: string | symbol): void {
  const handler: unknown = Object.getOwnPropertyDescriptor(target, key)?.value;
  if (typeof handler !== 'function') return;
  const filters = (Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, handler) ?? []) as readonly unknown[];
  Reflect.defineMetadata(EXCEPTION_FILTERS_METADATA, [...filters.filter((filter) => filter !== sessionErrors), sessionErrors], handler);
}
