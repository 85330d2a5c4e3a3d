import { expect } from 'vitest';
import WebSocket from 'ws';
import { basic, basicBackend } from '../fixtures.js';
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
      name: 'invalid credentials on an upgrade → refused, never opened',
      async run(t) {
        const res = await connect(t, '/ws', basic('root', 'wrong'));
        expect(res.status).toBe(401);
      },
    },
  ],
};
