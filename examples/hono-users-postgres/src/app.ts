import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { hasControlCharacters, passwordBackend, type AuthenticationFailure } from '@portcullis/core';
import { passwordPolicy, type Hasher, type PasswordPolicyCode } from '@portcullis/core/hashing';
import { authentication, requires, type AuthEnv } from '@portcullis/hono';
import type { AppUser, UserStore } from './users.js';

export { pbkdf2Hasher } from '@portcullis/core/hashing';
export { AppUser, DEFAULT_TABLE, memoryUserStore, migrate, openUserStore, pgUserStore } from './users.js';
export type { OpenedUserStore, Queryable, UserStore } from './users.js';

/** Options of {@link createApp}. */
export interface UsersAppOptions {
  /** Where users live (PostgreSQL or memory). */
  readonly store: UserStore;
  /** Hashes new passwords and verifies stored ones; outdated hashes are upgraded on login. */
  readonly hasher: Hasher;
  /** The realm of the Basic challenge. Default `Portcullis users`. */
  readonly realm?: string;
  /** Receives one event per failed authentication (never a password). */
  readonly log?: (event: AuthenticationFailure) => void;
}

/** Passwords: 8 characters (code points) at least, at most 1024 UTF-8 bytes (the password backend refuses longer ones before hashing). */
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_BYTES = 1024;
/** Usernames: 1 to 64 visible characters (code points, after NFC). */
export const MAX_USERNAME_CHARS = 64;
/** `POST /signup` bodies above this are refused with 413 before they are parsed. */
export const MAX_BODY_BYTES = 8 * 1024;

/** Letters, marks, digits, punctuation, symbols: no spaces, controls, format or unassigned code points. */
const VISIBLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]+$/u;

/**
 * The username as stored and looked up (NFC), or `null` when it is not one we
 * accept. A colon is refused: RFC 7617 Basic credentials cannot carry one in the
 * user-id, so such an account could never sign in.
 */
export function normalizeUsername(value: string): string | null {
  const username = value.normalize('NFC');
  if ([...username].length > MAX_USERNAME_CHARS || !VISIBLE.test(username) || username.includes(':')) return null;
  return username;
}

type SignupError =
  | 'invalid_json'
  | 'invalid_username'
  | 'invalid_password'
  | PasswordPolicyCode
  | 'username_taken'
  | 'payload_too_large'
  | 'service_unavailable';

function fail(c: Context, status: 400 | 409 | 413 | 422 | 503, error: SignupError): Response {
  c.header('Cache-Control', 'no-store');
  return c.json({ error }, status);
}

/**
 * Users with hashed passwords (starlette-auth-toolkit's `ModelBasicAuth` with a
 * hasher), on Hono:
 *
 * - every request may sign in with `Authorization: Basic …`, checked by
 *   `passwordBackend` against the store (unknown users cost a dummy hash;
 *   over-long passwords are refused before any lookup; outdated hashes are
 *   upgraded with a compare-and-set after a successful login);
 * - `GET /me` (requires `authenticated`) → `{ user, scopes }`;
 * - `POST /signup` `{ username, password }` → 201, 409 when taken, 400 with a JSON
 *   `error` code for bad input, 422 with the `passwordPolicy` code for a password
 *   it refuses, 503 when the store is down. Never 500.
 */
export function createApp(options: UsersAppOptions): Hono<AuthEnv<AppUser>> {
  const { store, hasher } = options;

  // #region backend
  const backend = passwordBackend<AppUser>({
    realm: options.realm ?? 'Portcullis users',
    hasher,
    maxPasswordBytes: MAX_PASSWORD_BYTES,
    // Names we would refuse at signup cannot exist: no query (the dummy hash still runs).
    findUser: (username) => {
      const name = normalizeUsername(username);
      return name === null ? null : store.findUser(name);
    },
    passwordHashOf: (user) => user.passwordHash,
    // An outdated hash is replaced after a successful login, as a compare-and-set.
    onRehash: async (user, newHash, oldHash) => {
      await store.updatePasswordHash(user.username, newHash, oldHash);
    },
  });
  // #endregion backend

  // New passwords: 8 characters to 1024 bytes, no composition rules, not the username.
  const policy = passwordPolicy({ hasher, minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_BYTES });

  const app = new Hono<AuthEnv<AppUser>>();
  app.use(authentication({ backend, ...(options.log === undefined ? {} : { log: options.log }) }));

  app.get('/me', requires('authenticated'), (c) => {
    return c.json({ user: c.var.user.displayName, scopes: [...c.var.auth.scopes] });
  });

  app.post(
    '/signup',
    bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => fail(c, 413, 'payload_too_large') }),
    async (c) => {
      const type = c.req.header('content-type') ?? '';
      if (!/^application\/json\s*(;|$)/i.test(type)) return fail(c, 400, 'invalid_json');
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        return fail(c, 400, 'invalid_json');
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body)) return fail(c, 400, 'invalid_json');
      const { username: rawUsername, password } = body as { username?: unknown; password?: unknown };
      const username = typeof rawUsername === 'string' ? normalizeUsername(rawUsername) : null;
      if (username === null) return fail(c, 400, 'invalid_username');
      if (typeof password !== 'string') return fail(c, 400, 'invalid_password');
      const verdict = await policy.check(password, { user: [username] });
      if (!verdict.ok) return fail(c, verdict.status, verdict.code);
      // Basic refuses control characters, so such a password could never be used.
      if (hasControlCharacters(password)) return fail(c, 400, 'invalid_password');

      let created: boolean;
      try {
        created = await store.createUser(username, await hasher.hash(password));
      } catch {
        // The store is down: say so, generically (no driver message, no stack).
        return fail(c, 503, 'service_unavailable');
      }
      if (!created) return fail(c, 409, 'username_taken');
      c.header('Cache-Control', 'no-store');
      return c.json({ user: username }, 201);
    },
  );

  // Anything unexpected: a generic 500, never the error text or a stack.
  app.onError((error, c) => {
    console.error('unhandled error', error);
    c.header('Cache-Control', 'no-store');
    return c.json({ error: 'internal_error' }, 500);
  });

  return app;
}
