import type { Connection } from '../connection.js';
import { responseFor, type ResponseDescription } from '../response.js';
import { csrfAllows } from './csrf.js';
import { methodNotAllowed } from './errors.js';
import { emit, isSafeMethod, portOf } from './state.js';
import type { MaybePromise } from '../maybe-promise.js';

function normalise(path: string): string {
  return path.toLowerCase().replace(/\/+$/, '') || '/';
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
  const port = portOf(connection);
  const { config } = port;
  const method = connection.method;
  if (
    config.logoutPath !== false &&
    method !== 'POST' &&
    method !== 'OPTIONS' &&
    normalise(connection.path) === normalise(config.logoutPath)
  ) {
    return methodNotAllowed(connection);
  }
  if (config.csrf === false || isSafeMethod(method)) return null;
  if (await csrfAllows(connection, port, config.csrf, formToken)) return null;
  emit(connection, port, 'csrf_rejected', undefined);
  return responseFor({ kind: 'forbidden' }, connection, []);
}
