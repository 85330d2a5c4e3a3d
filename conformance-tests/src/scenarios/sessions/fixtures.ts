import {
  MemorySessionStore,
  SimpleUser,
  sessionAuth,
  isSessionError,
  passwordBackend,
  type BaseUser,
  type SessionData,
  type SessionStore,
} from '@portcullis/core';
import { describeSessionError } from '@portcullis/core/adapter';
import { pbkdf2Hasher } from '@portcullis/core/hashing';
import type { Response } from 'supertest';
import type { AppSpec, HandlerResult, HandlerView, RouteSpec, SessionSpec } from '../../spec.js';

/** Makes a fresh, empty store for one scenario's app. */
export interface SessionStoreFactory {
  /** Shown in the scenario titles (`memory`, `redis`). */
  readonly name: string;
  /** A new, empty store for one scenario. */
  create(): SessionStore;
}

/** The embedded default. */
export const memoryStores: SessionStoreFactory = { name: 'memory', create: () => new MemorySessionStore({ max: 10_000 }) };

/** The sessions secret of the conformance apps (never a real one). */
export const SECRET = 'conformance-sessions-secret-0123456789abcdef';

/** A fast hasher for fixtures only (1,000 PBKDF2 iterations: far below OWASP's minimum). */
export const fastHasher = pbkdf2Hasher({ iterations: 1_000 });

/** A clock the tests move by hand (SES-06, SES-07). */
export class FrozenClock {
  now = Date.UTC(2026, 0, 1, 9, 0, 0);
  readonly read = (): number => this.now;
  advance(ms: number): void {
    this.now += ms;
  }
}

/** An account of the Litestar example: `{ id, name, email }`, and a password hash. */
export class Account implements BaseUser {
  readonly isAuthenticated = true as const;
  roles: readonly string[] = [];
  /** Sessions logged in before this instant are refused (password change, SES-08). */
  sessionsValidAfter: number | undefined;
  constructor(
    readonly id: string,
    readonly name: string,
    readonly email: string,
    public passwordHash: string,
  ) {}
  get displayName(): string {
    return this.name;
  }
  get identity(): string {
    return this.id;
  }
  toJSON(): { id: string; name: string; email: string } {
    return { id: this.id, name: this.name, email: this.email };
  }
}

/** The user table of a scenario app. */
export class Accounts {
  readonly #byId = new Map<string, Account>();
  readonly #byEmail = new Map<string, Account>();
  /** `passwordBackend(...).verifyCredentials` for the login forms. */
  readonly backend = passwordBackend<Account>({
    findUser: (email) => this.#byEmail.get(email.toLowerCase()) ?? null,
    passwordHashOf: (account) => account.passwordHash,
    hasher: fastHasher,
  });

  async create(name: string, email: string, password: string): Promise<Account> {
    const account = new Account(crypto.randomUUID(), name, email.toLowerCase(), await fastHasher.hash(password));
    this.#byId.set(account.id, account);
    this.#byEmail.set(account.email, account);
    return account;
  }
  byId(id: unknown): Account | null {
    return typeof id === 'string' ? (this.#byId.get(id) ?? null) : null;
  }
  byEmail(email: string): Account | null {
    return this.#byEmail.get(email.toLowerCase()) ?? null;
  }
  remove(id: string): void {
    const account = this.#byId.get(id);
    if (account === undefined) return;
    this.#byId.delete(id);
    this.#byEmail.delete(account.email);
  }
}

/** The session options of a conformance app: development cookies (`id`, no `Secure`) unless overridden. */
export function sessionsOf(factory: SessionStoreFactory, overrides: Partial<SessionSpec> = {}): SessionSpec {
  return {
    store: factory.create(),
    secret: SECRET,
    cookie: { secure: false },
    keepOnLogin: ['next'],
    ...overrides,
  };
}

/** Counts the calls a store receives (SES-12, DOS-12). */
export class CountingStore implements SessionStore {
  gets = 0;
  writes = 0;
  destroys = 0;
  readonly update?: NonNullable<SessionStore['update']>;
  constructor(readonly inner: SessionStore) {
    if (inner.update !== undefined) {
      const update = inner.update.bind(inner);
      this.update = (id, data, ttl) => {
        this.writes++;
        return update(id, data, ttl);
      };
    }
  }
  get(id: string) {
    this.gets++;
    return this.inner.get(id);
  }
  set(id: string, data: SessionData, ttl: number) {
    this.writes++;
    return this.inner.set(id, data, ttl);
  }
  destroy(id: string) {
    this.destroys++;
    return this.inner.destroy(id);
  }
}

/** A store that can be switched off, like a database going down (SES-14). */
export class SwitchableStore implements SessionStore {
  down = false;
  readonly update?: NonNullable<SessionStore['update']>;
  constructor(readonly inner: SessionStore) {
    if (inner.update !== undefined) {
      const update = inner.update.bind(inner);
      this.update = (id, data, ttl) => this.#run(() => update(id, data, ttl));
    }
  }
  #run<T>(operation: () => Promise<T>): Promise<T> {
    return this.down ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')) : operation();
  }
  get(id: string) {
    return this.#run(() => this.inner.get(id));
  }
  set(id: string, data: SessionData, ttl: number) {
    return this.#run(() => this.inner.set(id, data, ttl));
  }
  destroy(id: string) {
    return this.#run(() => this.inner.destroy(id));
  }
}

/** Headers of a same-origin browser request (Fetch Metadata). */
export const SAME_ORIGIN = { 'Sec-Fetch-Site': 'same-origin' } as const;

/** Every `Set-Cookie` line of a response. */
export function setCookies(res: Response): string[] {
  const value = res.headers['set-cookie'] as string[] | string | undefined;
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** The `Set-Cookie` line for a cookie name, if any. */
export function setCookieLine(res: Response, name = 'id'): string | undefined {
  return setCookies(res).find((line) => line.startsWith(`${name}=`));
}

/** The value a response sets for a cookie (`''` for a deletion), if any. */
export function cookieValue(res: Response, name = 'id'): string | undefined {
  const line = setCookieLine(res, name);
  return line === undefined ? undefined : line.slice(name.length + 1).split(';')[0];
}

/** `name=value` for a `Cookie` header. */
export function cookie(value: string, name = 'id'): string {
  return `${name}=${value}`;
}

/** The attributes of a `Set-Cookie` line, names lower-cased (`path` → `/`, `httponly` → `''`). */
export function cookieAttributes(line: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of line.split(';').slice(1)) {
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (name !== '') out.set(name, eq === -1 ? '' : part.slice(eq + 1).trim());
  }
  return out;
}

/** True when a `Set-Cookie` line deletes its cookie (empty value and `Max-Age=0` or an `Expires` in the past). */
export function isDeletion(line: string): boolean {
  const value = line.slice(line.indexOf('=') + 1).split(';')[0];
  const attrs = cookieAttributes(line);
  const expires = attrs.get('expires');
  return value === '' && (attrs.get('max-age') === '0' || (expires !== undefined && Date.parse(expires) <= Date.now()));
}

/** The JSON body a handler received (`{}` when it is not JSON). */
export function jsonBody(view: HandlerView): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(view.body.text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The urlencoded form a handler received. */
export function formBody(view: HandlerView): URLSearchParams {
  return new URLSearchParams(view.body.text);
}

/** Runs a handler body; a `SessionError` becomes the core's answer for it (503, 403, 405). */
export async function answering(view: HandlerView, run: () => Promise<HandlerResult>): Promise<HandlerResult> {
  try {
    return await run();
  } catch (error) {
    if (isSessionError(error)) return { description: describeSessionError(error, view.connection) };
    throw error;
  }
}

/** `view.login`, which every adapter declaring `sessions` provides. */
export function loginOf(view: HandlerView): NonNullable<HandlerView['login']> {
  if (view.login === undefined) throw new Error('the adapter did not provide view.login');
  return view.login;
}

/** `view.logout`. */
export function logoutOf(view: HandlerView): NonNullable<HandlerView['logout']> {
  if (view.logout === undefined) throw new Error('the adapter did not provide view.logout');
  return view.logout;
}

/** `POST /logout` through the adapter's own `logout`, answering `out` (or the core's answer to a `SessionError`). */
export function logoutRoute(): RouteSpec {
  return {
    method: 'POST',
    path: '/logout',
    handler: (view) =>
      answering(view, async () => {
        await logoutOf(view)();
        return { text: 'out' };
      }),
  };
}

/** `view.session`. */
export function sessionOf(view: HandlerView): NonNullable<HandlerView['session']> {
  if (view.session === undefined) throw new Error('the adapter did not provide view.session');
  return view.session;
}

/** A unique e-mail address per case, so cases of one app never share accounts. */
export function uniqueEmail(label: string): string {
  return `${label}-${crypto.randomUUID().slice(0, 8)}@example.com`;
}

/**
 * The session id inside a cookie value, whatever the framework's encoding:
 * express-session `s:<id>.<signature>`, the Web sessions `<id>.<signature>`,
 * koa-session `<id>`.
 */
export function idOf(value: string): string {
  let v = decodeURIComponent(value);
  if (v.startsWith('s:')) v = v.slice(2);
  const dot = v.lastIndexOf('.');
  return dot === -1 ? v : v.slice(0, dot);
}

/**
 * An app where `POST /login` logs `alice` in (`user_id` in the session; with
 * `?methods=pwd,otp`, `login`'s `methods` option) and `GET /me` answers the user's name
 * or `anonymous`: the smallest session app, on `stores`.
 */
export function aliceLoginApp(stores: SessionStoreFactory, overrides: Partial<SessionSpec> = {}): AppSpec {
  return {
    backend: sessionAuth({ retrieveUser: (s) => (s.user_id === 'alice' ? new SimpleUser('alice') : null), mode: 'optional' }),
    sessions: sessionsOf(stores, overrides),
    routes: [
      {
        method: 'POST',
        path: '/login',
        handler: (view) =>
          answering(view, async () => {
            const methods = view.query.get('methods');
            await loginOf(view)(new SimpleUser('alice'), { user_id: 'alice' }, methods === null ? undefined : { methods: methods.split(',') });
            return { text: 'in' };
          }),
      },
      { method: 'GET', path: '/me', handler: (view) => ({ text: view.user.isAuthenticated ? view.user.displayName : 'anonymous' }) },
    ],
  };
}

