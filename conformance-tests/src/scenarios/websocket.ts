import { expect } from 'vitest';
import WebSocket from 'ws';
import { basic, basicBackend } from '../fixtures.js';
import { upgradeRequest } from '../raw.js';
import type { Client, Scenario } from '../scenario.js';

/** Opens a websocket; resolves with the first message, or the refusal's HTTP status. */
function connect(t: Client, path: string, authorization?: string): Promise<{ status?: number; message?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${t.port}${path}`, {
      headers: authorization ? { authorization } : {},
    });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('websocket timed out'));
    }, 5000);
    ws.on('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      res.resume();
      resolve({ status: res.statusCode });
      ws.terminate();
    });
    ws.on('message', (data) => {
      clearTimeout(timer);
      resolve({ message: data.toString() });
      ws.close();
    });
    ws.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** An upgrade request of `/ws` written byte for byte; resolves with the whole answer as received. */
async function upgradeBytes(t: Client, lines: readonly string[]): Promise<string> {
  return (await t.raw(upgradeRequest('/ws', lines))).text;
}

/** A refusal as every adapter writes it: status line, two fixed fields, the refusal's headers sorted, no body. */
function refusal(statusLine: string, headers: readonly string[] = []): string {
  return [statusLine, 'Connection: close', 'Content-Length: 0', ...headers, '', ''].join('\r\n');
}

export const websocket: Scenario = {
  id: 'websocket',
  title: 'a guarded websocket upgrade without the scopes is refused with 403',
  needs: ['websocket'],
  app: () => ({
    backend: basicBackend(),
    routes: [
      {
        method: 'GET',
        path: '/ws',
        kind: 'websocket',
        requires: { scopes: ['authenticated', 'admin'], options: { status: 404 } },
        handler: (view) => ({ text: `Hello, ${view.user.displayName}` }),
      },
    ],
  }),
  cases: [
    {
      name: 'anonymous upgrade → 403 whatever status says',
      async run(t) {
        expect(await connect(t, '/ws')).toEqual({ status: 403 });
      },
    },
    {
      name: 'authenticated without admin → 403',
      async run(t) {
        expect(await connect(t, '/ws', basic('alice', 'alicepwd'))).toEqual({ status: 403 });
      },
    },
    {
      name: 'with the scopes the socket opens and knows the user',
      async run(t) {
        expect(await connect(t, '/ws', basic('root', 'rootpwd'))).toEqual({ message: 'Hello, root' });
      },
    },
    {
      name: 'a refused upgrade is the same bytes on every adapter: 403, no body, no representation headers',
      async run(t) {
        const expected = refusal('HTTP/1.1 403 Forbidden');
        expect(await upgradeBytes(t, [])).toBe(expected);
        expect(await upgradeBytes(t, [`Authorization: ${basic('alice', 'alicepwd')}`])).toBe(expected);
      },
    },
    {
      name: 'a 401 on an upgrade keeps its challenge, byte for byte on every adapter, no body',
      async run(t) {
        expect(await upgradeBytes(t, [`Authorization: ${basic('root', 'wrong')}`])).toBe(
          refusal('HTTP/1.1 401 Unauthorized', ['cache-control: no-store', 'www-authenticate: Basic realm="api", charset="UTF-8"']),
        );
      },
    },
    {
      name: 'LEAK-06 malformed credentials on an upgrade → 400, byte for byte on every adapter, no body',
      async run(t) {
        expect(await upgradeBytes(t, ['Authorization: Basic !!!'])).toBe(refusal('HTTP/1.1 400 Bad Request', ['cache-control: no-store']));
      },
    },
    {
      name: 'invalid credentials on an upgrade → refused, never opened',
      async run(t) {
        const res = await connect(t, '/ws', basic('root', 'wrong'));
        expect(res.status).toBe(401);
      },
    },
  ],
};
