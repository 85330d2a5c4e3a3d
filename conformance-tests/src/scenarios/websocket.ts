import { expect } from 'vitest';
import { basic, basicBackend } from '../fixtures.js';
import { upgradeRequest } from '../raw.js';
import type { Client, Scenario } from '../scenario.js';
import { openWebSocket, type SocketOutcome } from '../websocket-client.js';

/** Opens `path` on the app ({@link openWebSocket}) with an `Authorization` header, if given. */
function connect(t: Client, path: string, authorization?: string): Promise<SocketOutcome> {
  return openWebSocket(`ws://127.0.0.1:${t.port}${path}`, authorization ? { authorization } : {});
}

/**
 * An upgrade request of `/ws` written byte for byte; resolves with the whole answer
 * as received, or, when a runtime's own HTTP server wrote it (`t.remote`), with
 * {@link runtimeFields} of it.
 */
async function upgradeBytes(t: Client, lines: readonly string[], method = 'GET'): Promise<string> {
  const [requestLine = '', ...head] = upgradeRequest('/ws', lines);
  const res = await t.raw([requestLine.replace(/^GET /, `${method} `), ...head]);
  return t.remote ? runtimeFields(res.text) : res.text;
}

/**
 * The part of an answer's bytes that the app chooses when Bun.serve, Deno.serve or
 * workerd writes it: the status line, the header fields in lower case and sorted,
 * without `Date` (that server's own) and `Connection: close` (Node writes it, Bun and
 * Deno leave it out), then the body as sent. Any other `Connection` stays and fails
 * the comparison: a refusal never keeps the connection or upgrades it. Applied to the
 * Node bytes too, it leaves the same fields: `content-length: 0` and the refusal's own.
 */
function runtimeFields(text: string): string {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return text;
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const fields = lines
    .map((line) => {
      const colon = line.indexOf(':');
      return `${line.slice(0, colon).toLowerCase()}: ${line.slice(colon + 1).trim()}`;
    })
    .filter((field) => !/^date:/.test(field) && !/^connection: close$/i.test(field))
    .sort();
  return [statusLine, ...fields, '', ''].join('\r\n') + text.slice(end + 4);
}

/**
 * A refusal as every adapter on Node writes it: status line, two fixed fields, the
 * refusal's headers sorted, no body; in a runtime, its {@link runtimeFields}.
 */
function refusal(t: Client, statusLine: string, headers: readonly string[] = []): string {
  const text = [statusLine, 'Connection: close', 'Content-Length: 0', ...headers, '', ''].join('\r\n');
  return t.remote ? runtimeFields(text) : text;
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
      name: 'a refused upgrade is the same bytes on every adapter (the same fields in a runtime): 403, no body, no representation headers',
      async run(t) {
        const expected = refusal(t, 'HTTP/1.1 403 Forbidden');
        expect(await upgradeBytes(t, [])).toBe(expected);
        expect(await upgradeBytes(t, [`Authorization: ${basic('alice', 'alicepwd')}`])).toBe(expected);
      },
    },
    {
      name: 'a 401 on an upgrade keeps its challenge, byte for byte on every adapter, no body',
      async run(t) {
        expect(await upgradeBytes(t, [`Authorization: ${basic('root', 'wrong')}`])).toBe(
          refusal(t, 'HTTP/1.1 401 Unauthorized', ['cache-control: no-store', 'www-authenticate: Basic realm="api", charset="UTF-8"']),
        );
      },
    },
    {
      name: 'LEAK-06 malformed credentials on an upgrade → 400, byte for byte on every adapter, no body',
      async run(t) {
        expect(await upgradeBytes(t, ['Authorization: Basic !!!'])).toBe(refusal(t, 'HTTP/1.1 400 Bad Request', ['cache-control: no-store']));
      },
    },
    {
      name: 'a handshake by HEAD, POST or OPTIONS, or with two Upgrade lines (h2c, websocket), is never upgraded, even with the scopes',
      async run(t) {
        const authorization = `Authorization: ${basic('root', 'rootpwd')}`;
        for (const method of ['HEAD', 'POST', 'OPTIONS']) {
          // No Content-Length: with one Deno refuses the handshake itself; without, it upgrades any method.
          const [, ...head] = upgradeRequest('/ws', [authorization]);
          expect((await t.raw([`${method} /ws HTTP/1.1`, ...head])).status, method).not.toBe(101);
        }
        const twoLines = upgradeRequest('/ws', [authorization]).flatMap((line) => (line === 'Upgrade: websocket' ? ['Upgrade: h2c', line] : [line]));
        expect((await t.raw(twoLines)).status).not.toBe(101);
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

/**
 * Required mode lets `OPTIONS` through as a CORS preflight; an `OPTIONS` upgrade is
 * none (browsers never send `Upgrade`), and Deno upgrades whatever the method.
 */
export const websocketRequired: Scenario = {
  id: 'websocket-required',
  title: 'in required mode an anonymous upgrade is refused, by OPTIONS as by GET',
  needs: ['websocket'],
  app: () => ({
    backend: basicBackend(),
    mode: 'required',
    routes: [{ method: 'GET', path: '/ws', kind: 'websocket', handler: (view) => ({ text: `Hello, ${view.user.displayName}` }) }],
  }),
  cases: [
    {
      name: 'a signed-in upgrade opens; an anonymous one → 403, never opened',
      async run(t) {
        expect(await connect(t, '/ws', basic('alice', 'alicepwd'))).toEqual({ message: 'Hello, alice' });
        expect(await connect(t, '/ws')).toEqual({ status: 403 });
      },
    },
    {
      name: 'an anonymous OPTIONS upgrade is no preflight: refused byte for byte as the GET one',
      async run(t) {
        const expected = refusal(t, 'HTTP/1.1 403 Forbidden');
        expect(await upgradeBytes(t, [])).toBe(expected);
        expect(await upgradeBytes(t, ['Origin: https://app.example', 'Access-Control-Request-Method: GET'], 'OPTIONS')).toBe(expected);
      },
    },
  ],
};
