// Websockets from Chromium against @portcullis/fetch INSIDE Bun, Deno and workerd
// (issue #15 part 3, WS-10, WS-11, WS-12): session cookie + Origin, tickets, the
// protocol carrier and the re-check with 4401 (test-support/browser-websocket.ts),
// the app of browser-app.ts upgraded with each runtime's own API.
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { BEARER_PROTOCOL_PREFIX } from '@portcullis/core';
import { upgradeRequest } from '@portcullis/conformance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserWebSocketSuite, type BrowserWsApp } from '../../../../test-support/browser-websocket.js';
import { freePort } from '../../../../test-support/ports.js';
import { startBrowserRuntimeApp } from '../../../../test-support/browser-runtimes.js';
import { runtimeGate } from '../../../../test-support/services.js';

const entry = fileURLToPath(new URL('./browser-app.ts', import.meta.url));

browserWebSocketSuite('Fetch in workerd', (port) => startBrowserRuntimeApp('workerd', entry, port));
for (const runtime of ['bun', 'deno'] as const) {
  if (runtimeGate(runtime, `Fetch websocket browser test in ${runtime}`) === 'run') {
    browserWebSocketSuite(`Fetch in ${runtime}`, (port) => startBrowserRuntimeApp(runtime, entry, port));
  }
}

/** The head of the answer to a raw handshake from the app's own origin, offering `protocols` in this order. */
function handshakeHead(url: string, protocols: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () =>
      socket.write([...upgradeRequest('/ws', [`Origin: ${url}`, `Sec-WebSocket-Protocol: ${protocols}`]), '', ''].join('\r\n')));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      const end = text.indexOf('\r\n\r\n');
      if (end !== -1) {
        socket.destroy();
        resolve(text.slice(0, end));
      }
    });
    socket.on('error', reject);
    setTimeout(() => reject(new Error(`no answer: ${text}`)), 5000).unref();
  });
}

// Bun's server.upgrade echoes the client's FIRST offer unless the app says otherwise: a
// carrier offered first would come back in the 101. The app answers negotiatedProtocol only.
for (const runtime of ['workerd', 'bun', 'deno'] as const) {
  const gate = runtime === 'workerd' ? 'run' : runtimeGate(runtime, `Fetch websocket protocol answer in ${runtime}`);
  describe.runIf(gate === 'run')(`Fetch in ${runtime}: the 101 answers the negotiated protocol only`, () => {
    let app: BrowserWsApp;
    let token = '';
    beforeAll(async () => {
      app = await startBrowserRuntimeApp(runtime, entry, await freePort());
      const origin = { origin: app.url };
      const login = await fetch(`${app.url}/login?user=bob`, { method: 'POST', headers: origin });
      const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      ({ token } = (await (await fetch(`${app.url}/token`, { method: 'POST', headers: { ...origin, cookie } })).json()) as { token: string });
    }, 30_000);
    afterAll(() => app?.close());

    it('a carrier offered before the app protocol: 101 with the app protocol, never the token', async () => {
      const head = await handshakeHead(app.url, `${BEARER_PROTOCOL_PREFIX}${token}, app.v1`);
      expect(head).toMatch(/^HTTP\/1\.1 101 /);
      expect(head).toMatch(/^sec-websocket-protocol: app\.v1$/im);
      expect(head).not.toContain(token);
    });
    it('a carrier alone: 101 without any Sec-WebSocket-Protocol (the token is not echoed)', async () => {
      const head = await handshakeHead(app.url, `${BEARER_PROTOCOL_PREFIX}${token}`);
      expect(head).toMatch(/^HTTP\/1\.1 101 /);
      expect(head).not.toMatch(/sec-websocket-protocol/i);
    });
  });
}
