import { AuthCredentials, type AuthenticationBackend, type TrustedProxiesOption } from '@portcullis/core';
import { expect } from 'vitest';
import WebSocket from 'ws';
import { DemoUser } from '../fixtures.js';
import { rawRequest } from '../raw.js';
import type { Client, Scenario } from '../scenario.js';
import type { AppSpec } from '../spec.js';

// The client address on every adapter and runtime: the test client connects to
// 127.0.0.1 from 127.0.0.1, or from 127.0.0.2 (another loopback address of this
// host) for a peer outside `trustedProxies`. Workers have no socket: their apps take
// the peer from CF-Connecting-IP, which Miniflare sets from its own socket.

/** Signs in anyone who sends `X-Backend: 1`, as a user named after the client address the backend sees. */
const addressBackend: AuthenticationBackend<DemoUser> = {
  authenticate(connection) {
    if (connection.header('x-backend') === undefined) return null;
    return { user: new DemoUser(connection.clientAddress ?? 'none'), auth: new AuthCredentials(['authenticated']) };
  },
};

function app(trustedProxies?: TrustedProxiesOption): AppSpec {
  return {
    backend: addressBackend,
    ...(trustedProxies === undefined ? {} : { trustedProxies }),
    routes: [
      { method: 'GET', path: '/address', handler: (view) => ({ json: { handler: view.clientAddress ?? 'none', backend: view.user.displayName } }) },
      { method: 'GET', path: '/account', requires: { scopes: 'admin', options: { redirect: '/login' } }, handler: () => ({ text: 'account' }) },
    ],
  };
}

interface Seen {
  readonly handler: string;
  readonly backend: string;
}

/** `GET /address` with `lines`, from `from` (default 127.0.0.1): the address the handler and the backend saw. */
async function seen(t: Client, lines: readonly string[], from?: string): Promise<Seen> {
  const head = ['GET /address HTTP/1.1', 'Host: app.example', 'X-Backend: 1', ...lines];
  const res = from === undefined ? await t.raw(head) : await rawRequest(t.port, head, 5000, { localAddress: from });
  expect(res.status, res.body).toBe(200);
  return JSON.parse(res.body) as Seen;
}

/** Both the handler (the adapter's `clientAddress`) and the backend (`connection.clientAddress`) saw `address`. */
async function expectAddress(t: Client, lines: readonly string[], address: string, from?: string): Promise<void> {
  expect(await seen(t, lines, from), lines.join(' | ')).toEqual({ handler: address, backend: address });
}

const SPOOFS = ['X-Forwarded-For: 6.6.6.6', 'X-Real-IP: 6.6.6.6', 'Forwarded: for=6.6.6.6', 'True-Client-IP: 6.6.6.6'];

export const clientAddressDefault: Scenario = {
  id: 'client-address',
  title: 'The client address is the socket peer, normalised, seen alike by handlers and backends',
  app: () => app(),
  cases: [
    {
      name: 'the peer address reaches the handler and the backend (127.0.0.1, or 127.0.0.2 when the client connects from there)',
      async run(t) {
        await expectAddress(t, [], '127.0.0.1');
        await expectAddress(t, [], '127.0.0.2', '127.0.0.2');
      },
    },
    {
      name: 'THR-10 without trustedProxies, X-Forwarded-For, X-Real-IP and Forwarded are all ignored',
      async run(t) {
        await expectAddress(t, SPOOFS, '127.0.0.1');
        await expectAddress(t, SPOOFS, '127.0.0.2', '127.0.0.2');
      },
    },
  ],
};

export const clientAddressTrusted: Scenario = {
  id: 'client-address-trusted',
  title: "trustedProxies: ['127.0.0.1/32']: forwarded headers count only from that peer, right to left",
  app: () => app(['127.0.0.1/32']),
  cases: [
    {
      name: 'from the trusted proxy, the last X-Forwarded-For entry is the client; what the client wrote to its left is not believed',
      async run(t) {
        await expectAddress(t, ['X-Forwarded-For: 203.0.113.7'], '203.0.113.7');
        await expectAddress(t, ['X-Forwarded-For: 6.6.6.6, 127.0.0.1, 203.0.113.7'], '203.0.113.7');
        // Several header lines are one list.
        await expectAddress(t, ['X-Forwarded-For: 6.6.6.6', 'X-Forwarded-For: 203.0.113.7'], '203.0.113.7');
      },
    },
    {
      name: 'from the trusted proxy, Forwarded is read (RFC 7239: quoted IPv6 in brackets, ports), normalised',
      async run(t) {
        await expectAddress(t, ['Forwarded: for=6.6.6.6, for="[2001:DB8:0::7]:4711";proto=https'], '2001:db8::7');
        await expectAddress(t, ['Forwarded: for="::ffff:6.6.6.6", For=198.51.100.17;by=127.0.0.1'], '198.51.100.17');
      },
    },
    {
      name: 'THR-11 a peer outside trustedProxies sending X-Forwarded-For or Forwarded: the headers are ignored, the peer is the client',
      async run(t) {
        for (const lines of [['X-Forwarded-For: 203.0.113.7'], ['Forwarded: for=203.0.113.7'], SPOOFS]) {
          await expectAddress(t, lines, '127.0.0.2', '127.0.0.2');
        }
      },
    },
    {
      name: 'a malformed or unknown element the trusted proxy reported: that proxy is the client, never a 500',
      async run(t) {
        for (const lines of [
          ['Forwarded: for="203.0.113.7'],
          ['Forwarded: for=203.0.113.7;for=198.51.100.1'],
          ['Forwarded: for=unknown'],
          ['Forwarded: for=_hidden'],
          ['X-Forwarded-For: 203.0.113.7,,'],
          ['X-Forwarded-For: not-an-address'],
          ['X-Forwarded-For: 203.0.113.7:443'],
          ['X-Real-IP: 203.0.113.7'],
        ]) {
          await expectAddress(t, lines, '127.0.0.1');
        }
      },
    },
    {
      name: "THR-11 what a client writes left of the proxy's entry (an empty element, 9 KiB of padding, a doubled parameter) is not judged; both headers: unknown, not the proxy",
      async run(t) {
        for (const lines of [
          ['X-Forwarded-For: ,, 203.0.113.7'],
          [`X-Forwarded-For: ${'1'.repeat(9 * 1024)}, 203.0.113.7`],
          [`X-Forwarded-For: ${'127.0.0.1, '.repeat(900)}203.0.113.7`],
          ['Forwarded: for=a;for=b, for=203.0.113.7'],
          ['Forwarded: for="a, for=203.0.113.7'],
        ]) {
          await expectAddress(t, lines, '203.0.113.7');
        }
        // Without forwardedHeader, a request with both cannot tell which one the proxy wrote.
        await expectAddress(t, ['X-Forwarded-For: 203.0.113.7', 'Forwarded: for=127.0.0.1'], 'none');
      },
    },
    {
      name: 'RED-01 behind a trusted proxy, X-Forwarded-Host and X-Forwarded-Proto never build the Location',
      async run(t) {
        const res = await t.raw([
          'GET /account?tab=1 HTTP/1.1',
          'Host: app.example',
          'Accept: text/html',
          'Sec-Fetch-Mode: navigate',
          'X-Forwarded-Host: evil.example',
          'X-Forwarded-Proto: https',
          'X-Forwarded-For: 203.0.113.7',
        ]);
        expect(res.status).toBe(303);
        expect(res.header('location')).toBe('/login?next=%2Faccount%3Ftab%3D1');
      },
    },
  ],
};

export const clientAddressHops: Scenario = {
  id: 'client-address-hops',
  title: 'trustedProxies: 1: one proxy in front, whatever its address',
  app: () => app(1),
  cases: [
    {
      name: 'the entry the one proxy appended is the client, from any peer; with no header, the peer',
      async run(t) {
        await expectAddress(t, ['X-Forwarded-For: 6.6.6.6, 203.0.113.7'], '203.0.113.7');
        await expectAddress(t, ['X-Forwarded-For: 6.6.6.6, 203.0.113.7'], '203.0.113.7', '127.0.0.2');
        await expectAddress(t, [], '127.0.0.2', '127.0.0.2');
      },
    },
  ],
};

/** The first message of a websocket to `/ws` opened with `headers`, from `from` (default 127.0.0.1). */
function firstMessage(t: Client, headers: Record<string, string>, from?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${t.port}/ws`, { headers, ...(from === undefined ? {} : { localAddress: from }) });
    const timer = setTimeout(() => (ws.terminate(), reject(new Error('websocket timed out'))), 5000);
    ws.on('unexpected-response', (_req, res) => (clearTimeout(timer), res.resume(), ws.terminate(), reject(new Error(`refused: ${res.statusCode}`))));
    // The adapters that greet on the client's first message (workerd) need one.
    ws.on('open', () => ws.send('hello'));
    ws.on('message', (data) => (clearTimeout(timer), ws.close(), resolve(data.toString())));
    ws.on('error', (e) => (clearTimeout(timer), reject(e)));
  });
}

export const clientAddressWebsocket: Scenario = {
  id: 'client-address-websocket',
  title: "a websocket's handler sees the client address resolved through trustedProxies, as an HTTP handler does",
  needs: ['websocket'],
  app: () => ({
    backend: addressBackend,
    trustedProxies: ['127.0.0.1/32'],
    routes: [{ method: 'GET', path: '/ws', kind: 'websocket', handler: (view) => ({ text: view.clientAddress ?? 'none' }) }],
  }),
  cases: [
    {
      name: 'THR-11 through the trusted peer the forwarded address; from an untrusted peer its own',
      async run(t) {
        const xff = { 'x-forwarded-for': '6.6.6.6, 203.0.113.7' };
        expect(await firstMessage(t, xff)).toBe('203.0.113.7');
        expect(await firstMessage(t, xff, '127.0.0.2')).toBe('127.0.0.2');
      },
    },
  ],
};
