import { saveSession, sessionData, type Connection } from '@portcullis/core';
import type { SessionView } from './spec.js';

/**
 * `view.session` for a test app: the session data through the core
 * (`sessionData` / `saveSession` on the connection's session port) and the
 * adapter's own `csrfToken`.
 *
 * @example
 * ```ts
 * session: sessionView(connection, () => csrfToken(req)),
 * ```
 */
export function sessionView(connection: Connection, csrfToken: () => Promise<string>): SessionView {
  return {
    async get(key) {
      return (await sessionData(connection))?.[key];
    },
    async set(key, value) {
      const data = (await sessionData(connection)) ?? {};
      await saveSession(connection, { ...data, [key]: value });
    },
    csrfToken,
  };
}
