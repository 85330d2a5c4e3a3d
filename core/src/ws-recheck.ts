import type { AuthDecision, Authenticator } from './authenticator.js';
import { createConnection, parseCookies, type Connection, type ConnectionInit } from './connection.js';
import type { AuthCredentials } from './credentials.js';
import { ConfigurationError } from './errors.js';
import type { Guard } from './guard.js';
import { webSocketClose, type WebSocketClose } from './response.js';
import type { BaseUser, UnauthenticatedUser } from './user.js';
import { ticketOrigin } from './ws-tickets.js';
import type { MaybePromise } from './maybe-promise.js';
import type { SessionPort } from './session/port.js';

/**
 * The `recheck` option of websocket upgrades: every `interval` ms, what
 * authenticated the upgrade is authenticated again (the session still alive, the
 * token not expired nor revoked, a ticket's issuing credentials still valid) and
 * the route's guard is run again; the socket is closed with 4401 when
 * authentication ended, 4403 when the guard now denies (see `webSocketClose`).
 * Off unless set.
 *
 * @example
 * ```ts
 * const recheck: RecheckOptions = { interval: 30_000 }; // every 30 s
 * ```
 */
export interface RecheckOptions {
  /** Milliseconds between two checks: an integer from 100 to 86,400,000 (24 h). */
  readonly interval: number;
}

/**
 * Checks a `recheck` option once, at startup: `undefined` (off) or
 * `{ interval }`; returns the interval in ms, or `undefined`. Throws a
 * `ConfigurationError` naming `who` otherwise.
 *
 * @example
 * ```ts
 * const interval = recheckInterval(options.recheck, 'upgradeHandler'); // 30000 or undefined
 * ```
 */
export function recheckInterval(option: unknown, who: string): number | undefined {
  if (option === undefined) return undefined;
  const interval = (option as { interval?: unknown } | null)?.interval;
  if (typeof interval !== 'number' || !Number.isInteger(interval) || interval < 100 || interval > 86_400_000) {
    throw new ConfigurationError(`${who}: recheck must be { interval } with an integer number of ms from 100 to 86400000`);
  }
  return interval;
}

/**
 * Like {@link recheckInterval}, for helpers whose whole purpose is the re-check
 * (`watchWebSocket`): the option is required.
 *
 * @example
 * ```ts
 * const interval = requiredRecheckInterval(options.recheck, 'watchWebSocket'); // 30000, or throws
 * ```
 */
export function requiredRecheckInterval(option: unknown, who: string): number {
  const interval = recheckInterval(option, who);
  if (interval === undefined) throw new ConfigurationError(`${who}: recheck: { interval } is required (ms, from 100 to 86400000)`);
  return interval;
}

/** Who an accepted socket belongs to: the upgrade's decision. */
export interface SocketPrincipal {
  /** The user the upgrade was accepted for. */
  readonly user: BaseUser | UnauthenticatedUser;
  /** The credentials it was accepted with. */
  readonly auth: AuthCredentials;
}

/**
 * The connection a re-check authenticates, from the upgrade's: the same request,
 * except for a socket opened with a ticket (spent), whose re-check carries the
 * credentials of the request that asked for the ticket ({@link ticketOrigin}) and no
 * query. `now` is left to the adapter (the clock of the re-check). For adapters.
 *
 * @example
 * ```ts
 * const connection = createConnection({ ...recheckInit(init, principal.auth), session: await opener(req) });
 * ```
 */
export function recheckInit(init: ConnectionInit, auth: AuthCredentials): ConnectionInit {
  const origin = ticketOrigin(auth);
  if (origin === undefined) return { ...init, kind: 'websocket' };
  const q = init.target.indexOf('?');
  const { header } = init;
  return {
    ...init,
    kind: 'websocket',
    target: q === -1 ? init.target : init.target.slice(0, q),
    authorization: origin.authorization,
    header: (name) => (name === 'cookie' ? origin.cookie : name === 'authorization' ? origin.authorization[0] : Object.hasOwn(origin.headers, name) ? origin.headers[name] : header(name)),
  };
}

/**
 * The re-check's verdict for a socket: `null` (it stays open) when the decision
 * authenticates the same user and the guard (if any) still lets it through;
 * otherwise the close the table gives: 4401 when authentication answered (expired,
 * revoked, logged out) or the user is anonymous or another one now, 1013 when the
 * decision failed (a store outage: 503), 4403 when the guard denies.
 *
 * @example
 * ```ts
 * const close = recheckVerdict(principal, await authenticator.run(connection), guard, connection, authenticator.challenges);
 * if (close) ws.close(close.code, close.reason);
 * ```
 */
export function recheckVerdict<U extends BaseUser>(
  before: SocketPrincipal,
  decision: AuthDecision<U>,
  guard: Guard | undefined,
  connection: Connection,
  challenges: readonly string[],
): WebSocketClose | null {
  if (decision.type === 'respond') return webSocketClose(decision.response.status >= 500 ? 'unavailable' : 'unauthenticated');
  const { user, auth } = decision;
  if (before.user.isAuthenticated && (!user.isAuthenticated || user.identity !== before.user.identity)) return webSocketClose('unauthenticated');
  const denied = guard?.check(connection, { user, auth, challenges });
  return denied ? webSocketClose('forbidden') : null;
}

/**
 * Runs the decision again on a re-check connection and gives its verdict
 * ({@link recheckVerdict}); a decision that throws is `unavailable` (1013). For adapters.
 *
 * @example
 * ```ts
 * watchSocket({ interval, check: () => recheckSocket(authenticator, guard, principal, connectionNow()), close: (c) => ws.close(c.code, c.reason) });
 * ```
 */
export function recheckSocket<U extends BaseUser>(
  authenticator: Authenticator<U>,
  guard: Guard | undefined,
  before: SocketPrincipal,
  connection: Connection,
): MaybePromise<WebSocketClose | null> {
  const verdict = (decision: AuthDecision<U>): WebSocketClose | null => recheckVerdict(before, decision, guard, connection, authenticator.challenges);
  const decision = authenticator.run(connection);
  return decision instanceof Promise ? decision.then(verdict) : verdict(decision);
}

/** Options of {@link watchSocket}. */
export interface WatchSocketOptions {
  /** Milliseconds between checks ({@link recheckInterval}). */
  readonly interval: number;
  /**
   * One check: `null` to stay open, or the close to send. A throw or rejection
   * closes with 1013, and so does a check that has not settled within `interval` ms
   * (a hung store never leaves a socket open and unchecked).
   */
  check(): MaybePromise<WebSocketClose | null>;
  /** Closes the socket (`ws.close(close.code, close.reason)`); called at most once. */
  close(close: WebSocketClose): void;
}

/** A running re-check; `stop()` it when the socket closes. */
export interface SocketWatch {
  /** Stops the checks and clears the timer; idempotent. */
  stop(): void;
  /** False once stopped (or once it closed the socket). */
  readonly active: boolean;
}

/**
 * Re-checks an accepted socket every `interval` ms until stopped: one timer at a
 * time (the next is set when a check has settled, so slow checks never pile up; a
 * check still pending after `interval` ms closes the socket with 1013),
 * unreferenced on Node (it never keeps a process alive). Call `stop()` from the
 * socket's close handler: a closed socket then leaves no timer behind. For adapters.
 *
 * @example
 * ```ts
 * const watch = watchSocket({ interval: 30_000, check, close: ({ code, reason }) => ws.close(code, reason) });
 * ws.on('close', () => watch.stop());
 * ```
 */
export function watchSocket(options: WatchSocketOptions): SocketWatch {
  const { interval, check, close } = options;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let active = true;
  const finish = (verdict: WebSocketClose | null): void => {
    if (!active) return;
    if (verdict === null) return schedule();
    active = false;
    close(verdict);
  };
  const fail = (): void => finish(webSocketClose('unavailable'));
  const tick = (): void => {
    timer = undefined;
    if (!active) return;
    let verdict: MaybePromise<WebSocketClose | null>;
    try {
      verdict = check();
    } catch {
      return fail();
    }
    if (!(verdict instanceof Promise)) return finish(verdict);
    let settled = false;
    const deadline = setTimeout(() => {
      if (settled) return;
      settled = true;
      timer = undefined;
      fail();
    }, interval);
    (deadline as { unref?: () => void }).unref?.();
    timer = deadline;
    const settle = (then: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      timer = undefined;
      then();
    };
    verdict.then((v) => settle(() => finish(v)), () => settle(fail));
  };
  const schedule = (): void => {
    timer = setTimeout(tick, interval);
    (timer as { unref?: () => void }).unref?.();
  };
  schedule();
  return {
    stop(): void {
      active = false;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
    get active(): boolean {
      return active;
    },
  };
}

/** A socket a re-check can close: Bun's `ServerWebSocket`, Deno's `WebSocket`, Hono's `WSContext`, … */
export interface ClosableSocket {
  /** Sends a close frame. */
  close(code?: number, reason?: string): void;
}

/** What {@link watchRequestSocket} returns: `open(ws)` once the socket is open, `close()` when it closes. */
export interface RequestSocketWatch {
  /** Starts the re-checks on the accepted socket (stopping any earlier ones). */
  open(ws: ClosableSocket): void;
  /** Stops them (the socket closed); clears the timer. */
  close(): void;
}

/** Options of {@link watchRequestSocket}. */
export interface RequestSocketOptions {
  /** The app's authenticator: its backend, clock and trusted proxies. */
  readonly authenticator: Authenticator<BaseUser>;
  /** The route's guard, re-run at every check (4403 when it denies); `undefined`: none. */
  readonly guard: Guard | undefined;
  /** Who the upgrade was accepted for (anonymous when it was not authenticated). */
  readonly principal: SocketPrincipal;
  /** The upgrade's connection: its method, target, `Authorization` lines and peer address. */
  readonly upgrade: Connection;
  /**
   * Opens the session a check reads (afresh from the store) for the re-check's
   * cookies: the upgrade's, or a ticket's issuing request's. `undefined`: no sessions.
   */
  readonly session: ((cookies: ReadonlyMap<string, string>) => SessionPort | undefined) | undefined;
  /** The `recheck` option: required, checked here ({@link requiredRecheckInterval}). */
  readonly recheck: RecheckOptions;
  /** The caller's name, for the `ConfigurationError` of a bad `recheck` (`'watchWebSocket'`). */
  readonly who: string;
}

/**
 * The re-check of a socket accepted for a Web `Request` (the shared body of the
 * adapters' `watchWebSocket`): reads the request's headers now (once upgraded, a
 * runtime may release the request), then, from `open(ws)` on, every
 * `recheck.interval` ms authenticates the upgrade's credentials again (a ticket's:
 * the issuing request's, {@link recheckInit}) with the session opened afresh, re-runs
 * the guard, and closes the socket with the table's code: 4401, 4403 or 1013
 * ({@link recheckSocket}, {@link watchSocket}). One timer at a time, none left after
 * `close()`. For adapters.
 *
 * @example
 * ```ts
 * const watch = watchRequestSocket(request, {
 *   authenticator, guard, principal, upgrade: toConnection(request, authenticator.clock),
 *   session: undefined, recheck: { interval: 30_000 }, who: 'watchWebSocket',
 * });
 * // on open: watch.open(ws); on close: watch.close()
 * ```
 */
export function watchRequestSocket(request: Request, options: RequestSocketOptions): RequestSocketWatch {
  const interval = requiredRecheckInterval(options.recheck, options.who);
  const { authenticator, guard, principal, upgrade, session } = options;
  const headers = new Map<string, string>();
  request.headers.forEach((value, name) => headers.set(name, value));
  const init = recheckInit(
    {
      method: upgrade.method,
      target: upgrade.query === '' ? upgrade.path : `${upgrade.path}?${upgrade.query}`,
      header: (name) => headers.get(name),
      authorization: upgrade.authorization,
      peerAddress: upgrade.peerAddress,
      trustedProxies: authenticator.trustedProxies,
    },
    principal.auth,
  );
  let watch: SocketWatch | undefined;
  const check = () => {
    const port = session?.(parseCookies(init.header('cookie')));
    return recheckSocket(authenticator, guard, principal, createConnection({ ...init, now: authenticator.clock, session: port }));
  };
  return {
    open(ws) {
      watch?.stop();
      watch = watchSocket({ interval, check, close: ({ code, reason }) => ws.close(code, reason) });
    },
    close() {
      watch?.stop();
    },
  };
}
