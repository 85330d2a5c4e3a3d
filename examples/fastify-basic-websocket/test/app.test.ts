import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
const ALICE = basic('alice', 'alice:pw correct');
const BOB = basic('bob', 'bob-pw');

/** Opens a websocket; resolves with the first message, or the refusal's status. */
function connect(port: number, headers: Record<string, string> = {}): Promise<{ status?: number; message?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode });
      ws.terminate();
    });
    ws.on('message', (data) => {
      resolve({ message: data.toString() });
      ws.close();
    });
    ws.on('error', reject);
  });
}

describe('fastify-basic-websocket', () => {
  let app: FastifyInstance;
  let port: number;
  beforeAll(async () => {
    app = await createApp(new Map([
      ['alice', { password: 'alice:pw correct', role: 'admin' }],
      ['bob', { password: 'bob-pw', role: 'staff' }],
    ]));
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(() => app.close());

  it('GET / is open to anyone, and greets the signed-in user', async () => {
    expect((await app.inject({ url: '/' })).body).toBe('Hello, stranger');
    expect((await app.inject({ url: '/', headers: BOB })).body).toBe('Hello, bob');
  });

  it('every other path needs a user: 401 with the Basic challenge, not a 500 from the app\'s error handler', async () => {
    const res = await app.inject({ url: '/me' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Basic realm="Fastify demo", charset="UTF-8"');
    expect((await app.inject({ url: '/me', headers: basic('alice', 'wrong') })).statusCode).toBe(401);
    expect((await app.inject({ url: '/me', headers: { authorization: 'Basic !!!' } })).statusCode).toBe(400);
    // An unknown path needs a user too (required mode authenticates before routing).
    expect((await app.inject({ url: '/nowhere' })).statusCode).toBe(401);
  });

  it('GET /me answers the user and the role as a scope', async () => {
    expect((await app.inject({ url: '/me', headers: BOB })).json()).toEqual({ name: 'bob', scopes: ['authenticated', 'staff'] });
  });

  it('GET /admin: admins get in; a staff user gets Fastify\'s own 404, as for a path that does not exist', async () => {
    expect((await app.inject({ url: '/admin', headers: ALICE })).json()).toEqual({ admin: 'alice', role: 'admin' });
    const hidden = await app.inject({ url: '/admin', headers: BOB });
    const missing = await app.inject({ url: '/nothing-here', headers: BOB });
    expect(hidden.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(hidden.json<{ error: string }>().error).toBe(missing.json<{ error: string }>().error);
  });

  it("the websocket: a signed-in user is greeted; an anonymous upgrade is refused with 403 (the core's upgrade refusal), a wrong password with 401", async () => {
    expect(await connect(port, BOB)).toEqual({ message: 'Hello, bob' });
    expect(await connect(port)).toEqual({ status: 403 });
    expect(await connect(port, basic('bob', 'nope'))).toEqual({ status: 401 });
  });
});
