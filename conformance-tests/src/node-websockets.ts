import type { Server } from 'node:http';
import type { BaseUser } from '@portcullis/core';
import { createConnection, type Guard } from '@portcullis/core/adapter';
import { upgradeHandler, type UpgradeOptions } from '@portcullis/node';
import { WebSocketServer } from 'ws';
import type { AppSpec } from './spec.js';

/**
 * Serves the spec's websocket routes on a Node server through `upgradeHandler`
 * (for adapters on Node `http` that don't route upgrades: Express, Koa). Once
 * open, the socket receives the handler's `text` and closes.
 */
export function attachWebSockets(
  server: Server,
  spec: AppSpec,
  authentication: UpgradeOptions<BaseUser>['authentication'],
  requires: (scopes: string | readonly string[], options?: object) => { readonly guard: Guard },
): void {
  const wss = new WebSocketServer({ noServer: true });
  const handlers = new Map(
    spec.routes
      .filter((route) => route.kind === 'websocket')
      .map((route) => [
        route.path,
        upgradeHandler({
          authentication,
          requires: route.requires ? requires(route.requires.scopes, route.requires.options) : undefined,
          accept(req, socket, head, principal) {
            wss.handleUpgrade(req, socket, head, async (ws) => {
              const connection = createConnection({ kind: 'websocket', method: 'GET', target: req.url ?? '/', header: () => undefined });
              const result = await route.handler({
                ...principal,
                method: 'GET',
                query: new URLSearchParams(connection.query),
                connection,
                body: { contentType: undefined, text: '' },
              });
              ws.send(result.text ?? '');
              ws.close();
            });
          },
        }),
      ]),
  );
  server.on('upgrade', (req, socket, head) => {
    const handle = handlers.get((req.url ?? '/').split('?')[0] ?? '/');
    if (handle === undefined) return socket.destroy();
    handle(req, socket, head);
  });
}
