// The conformance spec mounted on a Hono 4 app, on Web standards only: no
// @hono/node-server, nothing from `node:`. Both runs use it: app.ts wraps it
// in the Node server (websockets through @hono/node-server's own), and
// edge/worker.ts builds it inside workerd (hono/cloudflare-workers' websockets).
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { UpgradeWebSocket, WSContext, WSEvents } from 'hono/ws';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { PassExtraArgument, sessionView, type AppSpec, type HandlerResult, type HandlerView, type RouteSpec } from '@portcullis/conformance';
import {
  Requires,
  authentication,
  clientAddress,
  csrfToken,
  isWebSocketUpgrade,
  login,
  logout,
  requires,
  sessions,
  toConnection,
  toResponse,
  type AuthEnv,
  type PeerAddressOf,
} from '@portcullis/hono';

const MAX_BODY = 16 * 1024;

function send(c: Context<AuthEnv>, result: HandlerResult): Response | Promise<Response> {
  if (result.description !== undefined) return toResponse(c, result.description);
  const status = (result.status ?? 200) as ContentfulStatusCode;
  if (result.json !== undefined) return c.json(result.json, status, result.headers);
  return c.text(result.text ?? '', status, { 'content-type': 'text/plain; charset=utf-8', ...result.headers });
}

/** What a handler sees of the request (the session functions aside). */
function viewOf(c: Context<AuthEnv>, method: string, body: HandlerView['body']): HandlerView {
  const connection = toConnection(c, Date.now);
  return { user: c.var.user, auth: c.var.auth, method, query: new URLSearchParams(connection.query), connection, clientAddress: clientAddress(c), body };
}

function handlerFor(route: RouteSpec, withSessions = false) {
  return async (c: Context<AuthEnv>) => {
    const text = await c.req.text();
    if (new TextEncoder().encode(text).length > MAX_BODY) return c.text('Payload Too Large', 413);
    const view = viewOf(c, c.req.method, { contentType: c.req.header('content-type'), text });
    return send(
      c,
      await route.handler({
        ...view,
        ...(withSessions
          ? {
              login: (user, data, options) => login(c, user, data, options),
              logout: () => logout(c),
              session: sessionView(view.connection, () => csrfToken(c)),
            }
          : {}),
      }),
    );
  };
}

/** A Hono websocket helper: `@hono/node-server`'s (fires `onOpen`) or `hono/cloudflare-workers` (does not). */
export type SpecUpgradeWebSocket = UpgradeWebSocket<unknown, never, WSEvents<unknown>>;

/** Options of {@link mountSpec}. */
export interface SpecAppOptions {
  /** The runtime's websocket helper; without it websocket routes are not mounted. */
  readonly upgradeWebSocket?: SpecUpgradeWebSocket;
  /**
   * When the handler's text is sent: on `open` (the spec's contract, `@hono/node-server`)
   * or in answer to the client's first message, for helpers that never fire
   * `onOpen` (`hono/cloudflare-workers` accepts the server end before the 101 is
   * returned). Default `open`.
   */
  readonly greet?: 'open' | 'first-message';
  /** The `peerAddress` of `authentication(...)`: where `c.env` gives no peer (workerd). */
  readonly peerAddress?: PeerAddressOf;
}

function websocketRoute(app: Hono<AuthEnv>, route: RouteSpec, options: SpecAppOptions & { upgradeWebSocket: SpecUpgradeWebSocket }): void {
  const pass: MiddlewareHandler = (_c, next) => next();
  const guard = route.requires ? requires(route.requires.scopes, route.requires.options) : pass;
  app.get(
    route.path,
    guard,
    // hono/bun's helper upgrades `Upgrade: h2c, websocket`, which the core reads as no upgrade.
    async (c, next) => (isWebSocketUpgrade(c.req.raw) ? next() : c.notFound()),
    options.upgradeWebSocket((c) => {
      // Read now: once upgraded, Deno closes the request (its headers throw).
      const view = viewOf(c, 'GET', { contentType: undefined, text: '' });
      const greet = async (ws: WSContext<unknown>) => {
        const result = await route.handler(view);
        ws.send(result.text ?? '');
        ws.close();
      };
      // A client gone before the greeting makes `send` throw: not an unhandled rejection,
      // which would end a Deno or Bun process serving every other scenario.
      const safely = (ws: WSContext<unknown>) => void greet(ws).catch(() => undefined);
      return options.greet === 'first-message' ? { onMessage: (_event, ws) => safely(ws) } : { onOpen: (_event, ws) => safely(ws) };
    }),
  );
}

/**
 * Mounts the conformance spec on a Hono 4 app: sessions, authentication, the
 * error hook and the routes. Web standards only, so the same code serves Node
 * (`@hono/node-server`) and workerd.
 */
export function mountSpec(app: Hono<AuthEnv>, spec: AppSpec, options: SpecAppOptions = {}): Hono<AuthEnv> {
  const withSessions = spec.sessions !== undefined;
  if (spec.sessions !== undefined) app.use(sessions(spec.sessions));
  app.use(authentication({ backend: spec.backend, mode: spec.mode, exclude: spec.exclude, onError: spec.onError, log: spec.log, trustedProxies: spec.trustedProxies, peerAddress: options.peerAddress }));
  if (spec.catchAllErrors) app.onError((_err, c) => c.text('catch-all', 500));

  for (const route of spec.routes) {
    const method = route.method === 'GET' ? 'get' : 'post';
    if (route.kind === 'websocket') {
      const { upgradeWebSocket } = options;
      if (upgradeWebSocket !== undefined) websocketRoute(app, route, { ...options, upgradeWebSocket });
    } else if (route.style === 'class') {
      const { scopes, options: guardOptions } = route.requires ?? { scopes: 'authenticated' };
      class Controller {
        @PassExtraArgument
        @Requires(scopes, guardOptions)
        handle(c: Context<AuthEnv>, extra?: string) {
          if (extra !== undefined) c.header('x-extra-argument', extra);
          return handlerFor(route, withSessions)(c);
        }
      }
      const controller = new Controller();
      app[method](route.path, (c) => controller.handle(c));
    } else if (route.requires) {
      app[method](route.path, requires(route.requires.scopes, route.requires.options), handlerFor(route, withSessions));
    } else {
      app[method](route.path, handlerFor(route, withSessions));
    }
  }
  return app;
}
