/**
 * Whether an `Upgrade` field value asks for a websocket: exactly `websocket`, in any
 * case, white space around it dropped. The core's one definition of an upgrade (a
 * connection's kind is `websocket` when this holds); a list such as
 * `h2c, websocket` (two `Upgrade` lines joined) is none, though Bun and Deno would
 * upgrade it, so a runtime's handler checks this before upgrading.
 *
 * @example
 * ```ts
 * isWebSocketUpgradeValue(request.headers.get('upgrade') ?? undefined); // 'WebSocket' → true, 'h2c, websocket' → false
 * ```
 */
export function isWebSocketUpgradeValue(upgrade: string | null | undefined): boolean {
  return typeof upgrade === 'string' && upgrade.trim().toLowerCase() === 'websocket';
}

/**
 * Whether a request is a websocket handshake the runtime may upgrade: a `GET` whose
 * `Upgrade` field is exactly `websocket` (any case), the core's definition of an
 * upgrade, so a runtime never upgrades what `withAuth` and `requires(...)` did not
 * authenticate and guard as one. Bun's `server.upgrade` and `Deno.upgradeWebSocket`
 * accept more: any method (`POST`, `HEAD`, `OPTIONS`), and a list such as
 * `h2c, websocket` (two `Upgrade` lines joined), on which Deno's server then fails with
 * an unhandled rejection that ends the process. Check this first, answer 400 otherwise
 * (as `ws` does on Node). `@portcullis/fetch` and `@portcullis/hono` export it; Hono's
 * handler passes `c.req.raw`.
 *
 * @example
 * ```ts
 * import { isWebSocketUpgrade, requires } from '@portcullis/fetch';
 *
 * declare const Deno: { upgradeWebSocket(request: Request): { socket: WebSocket; response: Response } };
 *
 * const chat = requires('authenticated')((request, { user }) => {
 *   if (!isWebSocketUpgrade(request)) return new Response('Bad Request', { status: 400 });
 *   const { socket, response } = Deno.upgradeWebSocket(request);
 *   socket.onopen = () => socket.send(`Hello, ${user.displayName}`);
 *   return response;
 * });
 * ```
 */
export function isWebSocketUpgrade(request: { readonly method: string; readonly headers: { get(name: string): string | null } }): boolean {
  return request.method === 'GET' && isWebSocketUpgradeValue(request.headers.get('upgrade'));
}
