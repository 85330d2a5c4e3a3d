import type {
  AuthCredentials,
  AuthenticationBackend,
  AuthenticationFailure,
  BaseUser,
  Connection,
  ErrorHook,
  LoginOptions,
  RequiresOptions,
  ResponseDescription,
  SessionData,
  SessionOptions,
  SessionStore,
  TrustedProxiesOption,
} from '@portcullis/core';
import type { Server } from 'node:http';

/** What a handler sees: read natively by the adapter (`req.user`, `ctx.state.user`, `c.var.user`). */
export interface HandlerView {
  /** The request's user, as the adapter set it. */
  readonly user: BaseUser;
  /** The request's credentials (scopes), as the adapter set them. */
  readonly auth: AuthCredentials;
  /** The request method. */
  readonly method: string;
  /** The query of the request, parsed. */
  readonly query: URLSearchParams;
  /** The request's `Connection`, as the adapter builds it (for core helpers such as token endpoints). */
  readonly connection: Connection;
  /**
   * The client address, as the app reads it from the adapter (`clientAddress(req)`,
   * `clientAddress(ctx)`, `clientAddress(c)`, Nest's `@ClientAddress()`…).
   */
  readonly clientAddress: string | undefined;
  /** The raw request body (at most 16 KiB; larger bodies are refused by the adapter with 413). */
  readonly body: {
    /** The request's `Content-Type`. */
    readonly contentType: string | undefined;
    /** The raw request body. */
    readonly text: string;
  };
  /** With `spec.sessions`: the adapter's own `login(req|ctx|c, user, data, options)`. */
  readonly login?: (user: BaseUser, data?: SessionData, options?: LoginOptions) => Promise<void>;
  /** With `spec.sessions`: the adapter's own `logout(req|ctx|c)`. */
  readonly logout?: () => Promise<void>;
  /** With `spec.sessions`: the request's session data and CSRF token. */
  readonly session?: SessionView;
}

/** A handler's view of the request's session (`view.session`). */
export interface SessionView {
  /** A value of the app's session data (`undefined` without a live session). */
  get(key: string): Promise<unknown>;
  /** Sets a value (starts an anonymous session when there is none: a store write). */
  set(key: string, value: unknown): Promise<void>;
  /** The adapter's `csrfToken(req|ctx|c)`. */
  csrfToken(): Promise<string>;
}

/**
 * Server-side sessions of an app: the adapter installs its own `sessions(...)`
 * middleware with these options (Express and Koa wrap the store with
 * `expressSessionStore` / `koaSessionStore`), in front of `authentication`.
 */
export interface SessionSpec extends SessionOptions {
  /** Where the app keeps its sessions. */
  readonly store: SessionStore;
}

/** What a handler answers; the adapter sends it with its framework's own API. */
export interface HandlerResult {
  /** The status; 200 when not set. */
  readonly status?: number;
  /** Headers to set on the answer. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as `text/plain` … */
  readonly text?: string;
  /** … or as JSON. */
  readonly json?: unknown;
  /** … or a core response description, sent as the adapter sends the core's own answers. */
  readonly description?: ResponseDescription;
}

/** One route of a framework-neutral app. */
export interface RouteSpec {
  /** The route's method. */
  readonly method: 'GET' | 'POST';
  /** A literal path (no parameters). */
  readonly path: string;
  /** A `requires(scopes, options)` guard in front of the handler. */
  readonly requires?: {
    /** The scopes of `requires(scopes, options)`. */
    readonly scopes: string | readonly string[];
    /** The options of `requires(scopes, options)`. */
    readonly options?: RequiresOptions;
  };
  /**
   * `class`: the guard sits on a controller method (`@Requires`) instead of the route,
   * under {@link PassExtraArgument}; the method sends the extra argument it receives
   * in the `x-extra-argument` response header (so a guard that drops arguments shows).
   */
  readonly style?: 'function' | 'class';
  /** `websocket`: an upgrade endpoint; once open, the server sends the handler's `text` and closes. */
  readonly kind?: 'http' | 'websocket';
  /** The route's handler, on the framework-neutral view of the request. */
  readonly handler: (view: HandlerView) => HandlerResult | Promise<HandlerResult>;
}

/** A framework-neutral app: the adapter builds the real thing. */
export interface AppSpec {
  /** The backend of `authentication(...)`. */
  readonly backend: AuthenticationBackend<BaseUser>;
  /** `optional` (default) or `required`. */
  readonly mode?: 'optional' | 'required';
  /** Paths that need no user in `required` mode. */
  readonly exclude?: readonly (string | RegExp)[];
  /** The error hook of `authentication(...)`. */
  readonly onError?: ErrorHook;
  /** Receives failed-authentication events (pass it to `authentication({ log })`). */
  readonly log?: (event: AuthenticationFailure) => void;
  /** The `trustedProxies` of `authentication(...)`. */
  readonly trustedProxies?: TrustedProxiesOption;
  /** The app's routes. */
  readonly routes: readonly RouteSpec[];
  /**
   * Installs a catch-all error handler of the framework that answers 500, to prove
   * it cannot turn an authentication answer into a 500.
   */
  readonly catchAllErrors?: boolean;
  /** Server-side sessions (scenarios with `needs: ['sessions']`). */
  readonly sessions?: SessionSpec;
  /**
   * Test hooks of the scenario (never routes of the app): functions its cases call
   * through `client.control(name, arg)` to read or change state that lives where
   * the app runs (counters, stores, clocks). See {@link Controls}.
   */
  readonly controls?: Controls;
}

/** A JSON value: what a control takes and answers. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/** One test hook: takes a JSON argument, answers a JSON value (or nothing). */
export type Control = (arg: Json) => Json | void | Promise<Json | void>;

/**
 * Test hooks of a scenario's app, by name. They run in the process that runs the
 * app: the test process for a Node server (called directly), the runtime for a
 * {@link RemoteApp} (through its `control`). Arguments and answers are JSON,
 * copied through `JSON` in both cases, so a scenario behaves alike everywhere.
 */
export type Controls = Readonly<Record<string, Control>>;

// #region supports
/** What an adapter declares it supports; scenarios needing more are skipped by declaration. */
export interface Supports {
  /** Whether the adapter guards websocket upgrades. */
  readonly websocket?: boolean;
  /** Whether the adapter has server-side sessions (login, logout, the session gate). */
  readonly sessions?: boolean;
  /** A `@Requires` method decorator: class-style routes are built as the `style` docs say. */
  readonly decorators?: boolean;
}
// #endregion supports

/**
 * An app already running outside this process (in workerd, Deno, Bun…), reachable
 * over HTTP on 127.0.0.1: the raw and websocket clients connect to its port.
 */
export interface RemoteApp {
  /** `http://127.0.0.1:<port>`, with or without a trailing `/`. */
  readonly url: string;
  /** Stops the app; called once, after the scenario's last case. */
  close(): Promise<void>;
  /**
   * Calls the app's control `name` (`spec.controls`) where the app runs, and answers
   * its JSON result: for a runtime, through a control endpoint of the test build
   * that is not the app's port (`callControl` runs it there). Required by scenarios
   * whose spec has `controls`.
   */
  control?(name: string, arg: Json): Promise<Json>;
}

/** The adapter under test. */
export interface AdapterUnderTest {
  /** The adapter's name, in test titles. */
  readonly name: string;
  /** What the adapter supports: scenarios that need more are skipped. */
  readonly supports: Supports;
  /**
   * Builds a real app for the spec: a Node server, not yet listening (the runner
   * listens on 127.0.0.1), or a {@link RemoteApp} already running elsewhere.
   */
  createApp(spec: AppSpec): Server | RemoteApp | Promise<Server | RemoteApp>;
}

/** The argument {@link PassExtraArgument} adds, and the `x-extra-argument` header of a class-style route. */
export const EXTRA_ARGUMENT = 'stacked-decorator';

/**
 * A standard method decorator that calls the method with every argument it got
 * plus {@link EXTRA_ARGUMENT}. Stacked above `@Requires` on class-style routes, it
 * proves the guard forwards every argument, not only the framework's own.
 *
 * @typeParam M - the decorated method's type, kept as is.
 *
 * @example
 * ```ts
 * class Controller {
 *   @PassExtraArgument
 *   @Requires('admin')
 *   handle(req: Request, res: Response, next: NextFunction, extra?: string) {
 *     res.set('x-extra-argument', String(extra));
 *   }
 * }
 * ```
 */
export function PassExtraArgument<M extends (this: unknown, ...args: never[]) => unknown>(method: M, _context: ClassMethodDecoratorContext): M {
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    return Reflect.apply(method, this, [...args, EXTRA_ARGUMENT]);
  };
  return wrapped as unknown as M;
}
