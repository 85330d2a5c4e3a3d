import { upperCaseMethod, type Connection } from '../connection.js';
import type { SessionConfig } from './config.js';
import { responseFor, type ResponseDescription } from '../response.js';
import { csrfAllows } from './csrf.js';
import { methodNotAllowed } from './errors.js';
import { emit, isSafeMethod, portOf } from './state.js';
import type { MaybePromise } from '../maybe-promise.js';

function normalise(path: string): string {
  return path.toLowerCase().replace(/\/+$/, '') || '/';
}

/** The last logout path normalised, and what it normalised to (computed once per app, not per request, while one app serves). */
let lastLogout: unknown = Symbol('none');
let lastNormalised = '/';

/** `normalise(path)`, remembered for the last path asked (a pure function of the string). */
function normalisedLogout(path: string): string {
  if (path !== lastLogout) {
    lastNormalised = normalise(path);
    lastLogout = path;
  }
  return lastNormalised;
}

/**
 * What the session middleware of every adapter decides before the request goes
 * on: `405` + `Allow: POST` for anything but `POST`/`OPTIONS` to the logout path
 * (CSRF-09), and `403` for an unsafe request that fails the CSRF check (see
 * `csrfAllows`). `null`: go on. `formToken` reads the CSRF form field of the body
 * when the adapter can (it is called only when no header decided).
 *
 * @example
 * ```ts
 * const denied = await sessionGate(connection, () => formField(type, req.body, '_csrf'));
 * if (denied !== null) return send(denied);
 * ```
 */
export async function sessionGate(
  connection: Connection,
  formToken: () => MaybePromise<string | undefined> = () => undefined,
): Promise<ResponseDescription | null> {
  const decided = sessionGateNow(connection);
  if (decided !== undefined) return decided;
  const port = portOf(connection);
  const { csrf } = port.config;
  if (csrf === false || (await csrfAllows(connection, port, csrf, formToken))) return null;
  emit(connection, port, 'csrf_rejected', undefined);
  return responseFor({ kind: 'forbidden' }, connection, []);
}

/**
 * {@link sessionGate}'s answer when it needs nothing asynchronous, which is every
 * safe request's (`GET`, `HEAD`…): `null` (go on) or the logout path's `405`;
 * `undefined` when the CSRF check must run (an unsafe method): then call
 * `sessionGate`. Lets an adapter go on without a promise on the hot path.
 *
 * @example
 * ```ts
 * const decided = sessionGateNow(connection);
 * if (decided === null) return next();
 * const denied = decided ?? (await sessionGate(connection, formToken));
 * ```
 */
export function sessionGateNow(connection: Connection): ResponseDescription | null | undefined {
  const { config } = portOf(connection);
  const method = connection.method;
  if (
    config.logoutPath !== false &&
    method !== 'POST' &&
    method !== 'OPTIONS' &&
    normalise(connection.path) === normalisedLogout(config.logoutPath)
  ) {
    return methodNotAllowed(connection);
  }
  if (config.csrf === false || isSafeMethod(method)) return null;
  return undefined;
}

/**
 * True when {@link sessionGate} answers `null` for every request with this method and
 * request target, so the session middleware can go on without building a `Connection`
 * (each read of a framework's request object costs on the hot path). A sufficient
 * check, never a different decision: a safe method (`GET`, `HEAD`, `OPTIONS`,
 * `TRACE`) whose target cannot name the logout path; `false` means "ask sessionGate".
 *
 * @example
 * ```ts
 * if (sessionGatePasses(config, req.method ?? 'GET', req.originalUrl)) return next();
 * ```
 */
export function sessionGatePasses(config: SessionConfig, method: string, target: string): boolean {
  // A method already upper-case (what Node's parser gives) is not case-mapped again.
  const upper = isSafeMethod(method) ? method : upperCaseMethod(method);
  if (!isSafeMethod(upper)) return false;
  if (config.logoutPath === false || upper === 'OPTIONS') return true;
  // The request's path is a part of its target: a target that does not contain the
  // logout path (lower-cased, as the gate compares) cannot be it. A logout path of "/"
  // or beyond ASCII (case mapping that depends on context) is left to the gate.
  const logout = normalisedLogout(config.logoutPath);
  if (logout !== lastAsciiChecked) {
    if (logout === '/' || !ASCII.test(logout)) return false;
    lastAsciiChecked = logout;
  }
  // A target shorter than the logout path cannot contain it: lower-casing never turns one
  // code unit into two ASCII ones (only U+0130 grows, into "i" and a combining dot).
  return target.length < logout.length || !target.toLowerCase().includes(logout);
}

const ASCII = /^[\x21-\x7e]+$/;
/** The last normalised logout path found ASCII and not "/". */
let lastAsciiChecked: string | undefined;
