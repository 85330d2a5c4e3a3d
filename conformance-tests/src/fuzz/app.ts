// The app every adapter runs for the differential fuzzer: Web standards only (it
// is also built inside workerd, adapters/hono/test/edge/worker.ts), no state the
// test process must share with it. Its clock is fixed, so JWTs signed by the
// test process are valid wherever the app runs.
import {
  MemorySessionStore,
  apiKeyAuth,
  isSessionError,
  multi,
  safeNext,
  sessionAuth,
  staticTokens,
} from '@portcullis/core';
import { describeSessionError } from '@portcullis/core/adapter';
import { jwtAuth, type JwtAuth, type RevocationStore } from '@portcullis/jwt';
import { DemoUser, basicBackend, tokenBackend } from '../fixtures.js';
import type { Scenario } from '../scenario.js';
import type { AppSpec, HandlerResult, HandlerView } from '../spec.js';

/** 2026-01-01T00:00:00Z: the app's clock (JWT `iat`/`exp` are checked against it). */
export const FUZZ_NOW = Date.UTC(2026, 0, 1);
/** The `iss` the fuzz app's JWT backend requires. */
export const FUZZ_ISSUER = 'https://app.example';
/** The `aud` the fuzz app's JWT backend requires. */
export const FUZZ_AUDIENCE = 'https://app.example/api';
/** The HS256 secret of the fuzz app (tests only). */
export const FUZZ_JWT_SECRET = new Uint8Array(32).map((_, i) => (i * 29 + 11) & 0xff);
/** The API key of `ci-bot`. */
export const FUZZ_API_KEY = 'k_fuzz_0123456789abcdef0123';
/** The session secret of the fuzz app (tests only). */
export const FUZZ_SESSION_SECRET = 'fuzz-sessions-secret-0123456789abcdef';
/** JWT subjects the app knows. */
export const FUZZ_SUBJECTS: readonly string[] = ['alice', 'dave'];

/** Headers a handler answer carries, so the oracle can tell it from Portcullis's and the framework's own answers. */
export const ROUTE_HEADER = 'x-fuzz-route';
/** The header of a handler answer that carries the user's display name (URI-encoded; empty for anonymous). */
export const USER_HEADER = 'x-fuzz-user';

/** The routes of the fuzz app, by name. */
export const FUZZ_ROUTES = {
  /** Open to everyone. */
  open: '/open',
  /** Behind `requires`. */
  guarded: '/guarded',
  /** Behind `requires('authenticated')` with a redirect to the login route. */
  account: '/account',
  /** A login route behind a 401 guard (Basic challenge), redirecting to a safe `next`. */
  login: '/login',
  /** Logs `carol` in with a new session. */
  sessionLogin: '/session-login',
} as const;

function answer(route: string, view: HandlerView, extra: Partial<HandlerResult> = {}): HandlerResult {
  return {
    status: 200,
    ...extra,
    headers: {
      [ROUTE_HEADER]: route,
      [USER_HEADER]: view.user.isAuthenticated ? encodeURIComponent(view.user.displayName) : '',
      ...extra.headers,
    },
    json: { route, user: view.user.displayName, authenticated: view.user.isAuthenticated, scopes: [...view.auth.scopes].sort() },
  };
}

/**
 * The fuzz app's HS256 JWT backend: its secret, issuer, audience and fixed clock;
 * the subjects `alice` and `dave` are users. Sign tokens for it with
 * `signFuzzJwt(FUZZ_JWT_HEADER, fuzzClaims(sub))`.
 *
 * @example
 * ```ts
 * const backend = fuzzJwt({ revocation: new RedisRevocationStore({ client }) });
 * ```
 */
export function fuzzJwt(options: { readonly revocation?: RevocationStore } = {}): JwtAuth<DemoUser> {
  return jwtAuth<DemoUser>({
    algorithms: ['HS256'],
    secret: FUZZ_JWT_SECRET,
    issuer: FUZZ_ISSUER,
    audience: FUZZ_AUDIENCE,
    clock: () => FUZZ_NOW,
    ...(options.revocation === undefined ? {} : { revocation: options.revocation }),
    retrieveUser: (token) => (FUZZ_SUBJECTS.includes(token.sub) ? new DemoUser(token.sub) : null),
  });
}

/**
 * The fuzz app: optional mode; `multi([Token, Basic, Bearer JWT (HS256), API key,
 * session])`; an open route, a guarded route (403 for anonymous), a route that
 * redirects browsers to `/login`, `POST /login` that answers `303` to a validated
 * `next`, and `POST /session-login` that logs `carol` in (the fuzzer's session
 * cookies come from it). Every call builds a fresh app (its own session store).
 *
 * @example
 * ```ts
 * const server = createMyApp(fuzzApp());
 * ```
 */
export function fuzzApp(): AppSpec {
  const jwt = fuzzJwt();
  const backend = multi([
    tokenBackend(),
    basicBackend(),
    jwt,
    apiKeyAuth({ header: 'X-API-Key', verify: staticTokens([[FUZZ_API_KEY, new DemoUser('ci-bot')]]) }),
    sessionAuth({ mode: 'optional', retrieveUser: (s) => (s.name === 'carol' ? new DemoUser('carol') : null) }),
  ]);
  const guard = { scopes: 'authenticated' } as const;
  return {
    backend,
    mode: 'optional',
    sessions: { store: new MemorySessionStore({ max: 10_000 }), secret: FUZZ_SESSION_SECRET, cookie: { secure: false } },
    routes: [
      { method: 'GET', path: FUZZ_ROUTES.open, handler: (view) => answer('open', view) },
      { method: 'POST', path: FUZZ_ROUTES.open, handler: (view) => answer('open', view) },
      { method: 'GET', path: FUZZ_ROUTES.guarded, requires: guard, handler: (view) => answer('guarded', view) },
      { method: 'POST', path: FUZZ_ROUTES.guarded, requires: guard, handler: (view) => answer('guarded', view) },
      {
        method: 'GET',
        path: FUZZ_ROUTES.account,
        requires: { scopes: 'authenticated', options: { redirect: FUZZ_ROUTES.login } },
        handler: (view) => answer('account', view),
      },
      {
        method: 'POST',
        path: FUZZ_ROUTES.login,
        requires: { scopes: 'authenticated', options: { status: 401 } },
        handler: (view) =>
          answer('login', view, { status: 303, headers: { location: safeNext(view.query.get('next'), '/', { avoid: [FUZZ_ROUTES.login] }) } }),
      },
      {
        method: 'POST',
        path: FUZZ_ROUTES.sessionLogin,
        async handler(view) {
          try {
            await view.login?.(new DemoUser('carol'), { name: 'carol' });
          } catch (error) {
            if (isSessionError(error)) return { description: describeSessionError(error, view.connection) };
            throw error;
          }
          return answer('session-login', view);
        },
      },
    ],
  };
}

/**
 * The fuzz app as a scenario without cases, so runners that build apps from a
 * scenario id (the workerd worker) can build it: id `fuzz`.
 */
export const fuzzScenario: Scenario = Object.freeze({ id: 'fuzz', title: 'the differential fuzzer app', app: fuzzApp, cases: [] });
