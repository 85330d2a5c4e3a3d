import { expect } from 'vitest';
import { basic, basicBackend, hello } from '../fixtures.js';
import type { RawResponse } from '../raw.js';
import type { Client, Scenario } from '../scenario.js';

/** Headers whose presence or value depends on the connection or the clock, not on the answer. */
const TRANSPORT = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

/** The headers of an answer that must be the same for HEAD as for GET, in a stable order. */
function answerHeaders(res: RawResponse): (readonly [string, string])[] {
  return res.headers.filter(([name]) => !TRANSPORT.has(name)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * `HEAD path` and `GET path` with the same header lines: HEAD answers with GET's
 * status and headers and no body (RFC 9110 §9.3.2). A Content-Length on the HEAD
 * answer, if any, is the GET body's.
 */
async function sameAsGet(t: Client, path: string, lines: readonly string[] = []): Promise<{ get: RawResponse; head: RawResponse }> {
  const get = await t.raw([`GET ${path} HTTP/1.1`, 'Host: app.example', ...lines]);
  const head = await t.raw([`HEAD ${path} HTTP/1.1`, 'Host: app.example', ...lines]);
  expect(head.status).toBe(get.status);
  expect(answerHeaders(head)).toEqual(answerHeaders(get));
  expect(head.body).toBe('');
  const length = head.header('content-length');
  if (length !== undefined) expect(Number(length)).toBe(new TextEncoder().encode(get.body).length);
  return { get, head };
}

const HTML = 'Accept: text/html,application/xhtml+xml';

export const headRequests: Scenario = {
  id: 'head-requests',
  title: "HEAD gets Portcullis's answers as GET does: same status and headers, no body",
  app: () => ({
    backend: basicBackend(),
    routes: [
      { method: 'GET', path: '/hello', handler: hello },
      { method: 'GET', path: '/admin', requires: { scopes: ['authenticated', 'admin'], options: { redirect: '/login' } }, handler: hello },
      { method: 'GET', path: '/api', requires: { scopes: 'authenticated', options: { status: 401 } }, handler: hello },
    ],
  }),
  cases: [
    {
      name: 'a guarded route, anonymous, status 401 → 401 with the Basic challenge, no body',
      async run(t) {
        const { get, head } = await sameAsGet(t, '/api');
        expect(get.status).toBe(401);
        expect(head.header('www-authenticate')).toBe('Basic realm="api", charset="UTF-8"');
        expect(head.header('cache-control')).toBe('no-store');
      },
    },
    {
      name: 'invalid credentials → 401 with the challenge, no body',
      async run(t) {
        const { get, head } = await sameAsGet(t, '/hello', [`Authorization: ${basic('alice', 'wrong')}`]);
        expect(get.status).toBe(401);
        expect(head.header('www-authenticate')).toBe('Basic realm="api", charset="UTF-8"');
      },
    },
    {
      name: 'a guarded route, authenticated without the scope → 403, no body',
      async run(t) {
        const { get } = await sameAsGet(t, '/admin', [`Authorization: ${basic('alice', 'alicepwd')}`]);
        expect(get.status).toBe(403);
      },
    },
    {
      name: 'a guarded route, anonymous API client → 403, no body (JSON answer headers too)',
      async run(t) {
        const { get, head } = await sameAsGet(t, '/admin', ['Accept: application/json']);
        expect(get.status).toBe(403);
        expect(head.header('content-type')).toBe('application/json');
      },
    },
    {
      name: 'GRD-13 a browser navigation, anonymous → 303 to the login page with next, no body',
      async run(t) {
        const { get, head } = await sameAsGet(t, '/admin?x=1', [HTML]);
        expect(get.status).toBe(303);
        expect(head.header('location')).toBe('/login?next=%2Fadmin%3Fx%3D1');
        expect(head.header('www-authenticate')).toBeUndefined();
      },
    },
    {
      name: 'malformed credentials → 400, no body',
      async run(t) {
        const { get } = await sameAsGet(t, '/hello', ['Authorization: Basic !!!']);
        expect(get.status).toBe(400);
      },
    },
    {
      name: 'past the guard, a handler answering with text → 200, no body (never a 500)',
      async run(t) {
        const { get } = await sameAsGet(t, '/admin', [`Authorization: ${basic('root', 'rootpwd')}`]);
        expect(get.status).toBe(200);
        expect(get.body).toBe('Hello, root');
        const open = await sameAsGet(t, '/hello');
        expect(open.get.status).toBe(200);
      },
    },
  ],
};
