import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testClock } from '@portcullis/testing';
import { createApp, pbkdf2Hasher } from '../src/app.js';
import { freePort } from '../../../test-support/ports.js';
import { stopProcess } from '../../test-support/spawn.js';

const REALM = 'Bearer realm="api"';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const PASSWORD = 'correct horse battery staple';

const clock = testClock(); // 2026-01-01T00:00:00Z
let app: Awaited<ReturnType<typeof createApp>>['app'];

beforeAll(async () => {
  ({ app } = await createApp({
    secret: new Uint8Array(32).fill(42),
    hasher: pbkdf2Hasher({ iterations: 1_000 }), // tests only; the server uses OWASP's default
    clock,
    accounts: [
      { username: 'alice', password: PASSWORD, scopes: ['orders:read'] },
      { username: 'root', password: 'root password', scopes: ['orders:read', 'admin'] },
    ],
  }));
});

const body = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

async function login(username = 'alice', password = PASSWORD, scope?: string): Promise<string> {
  const res = await app.request('/token', { method: 'POST', headers: FORM, body: body({ grant_type: 'password', username, password, ...(scope ? { scope } : {}) }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('hono-jwt-oauth2 in process', () => {
  it('every route but /token, /schema and /health needs a token: 401 Bearer realm="api"', async () => {
    for (const path of ['/me', '/orders', '/admin']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe(REALM);
    }
    expect(await (await app.request('/health')).text()).toBe('ok');
  });

  it('POST /token issues a JWT: 200, Cache-Control: no-store, Pragma: no-cache, the granted scope', async () => {
    const res = await app.request('/token', { method: 'POST', headers: FORM, body: body({ grant_type: 'password', username: 'alice', password: PASSWORD }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    expect(await res.json()).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, scope: 'orders:read' });
  });

  it('a wrong password and an unknown user get the same 400 invalid_grant', async () => {
    const wrong = await app.request('/token', { method: 'POST', headers: FORM, body: body({ grant_type: 'password', username: 'alice', password: 'nope' }) });
    const unknown = await app.request('/token', { method: 'POST', headers: FORM, body: body({ grant_type: 'password', username: 'mallory', password: 'nope' }) });
    expect(wrong.status).toBe(400);
    expect(unknown.status).toBe(400);
    expect(await wrong.text()).toBe(await unknown.text());
  });

  it('GET /token → 405; a JSON body → 400; a 20 KiB body → 413', async () => {
    expect((await app.request(`/token?grant_type=password&username=alice&password=${encodeURIComponent(PASSWORD)}`)).status).toBe(405);
    const json = await app.request('/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'password', username: 'alice', password: PASSWORD }) });
    expect(json.status).toBe(400);
    const big = await app.request('/token', { method: 'POST', headers: FORM, body: body({ grant_type: 'password', username: 'alice', password: 'x'.repeat(20 * 1024) }) });
    expect(big.status).toBe(413);
  });

  it('the token opens /me and /orders; /admin needs the admin scope (403 insufficient_scope)', async () => {
    const token = await login();
    const me = await app.request('/me', { headers: bearer(token) });
    expect(await me.json()).toEqual({ user: 'alice', scopes: ['authenticated', 'orders:read'], expiresAt: '2026-01-01T00:15:00.000Z' });
    expect((await app.request('/orders', { headers: bearer(token) })).status).toBe(200);
    const admin = await app.request('/admin', { headers: bearer(token) });
    expect(admin.status).toBe(403);
    expect(admin.headers.get('www-authenticate')).toBe(`${REALM}, error="insufficient_scope", scope="admin"`);
    expect((await app.request('/admin', { headers: bearer(await login('root', 'root password')) })).status).toBe(200);
  });

  it('a user never gets scopes beyond its own (OAU-08)', async () => {
    const token = await login('alice', PASSWORD, 'admin');
    expect((await app.request('/admin', { headers: bearer(token) })).status).toBe(403);
  });

  it('an expired token → 401 error_description="expired"; a tampered one → 401 invalid_token', async () => {
    const token = await login();
    clock.advance(900_000);
    try {
      const expired = await app.request('/me', { headers: bearer(token) });
      expect(expired.status).toBe(401);
      expect(expired.headers.get('www-authenticate')).toBe(`${REALM}, error="invalid_token", error_description="expired"`);
    } finally {
      clock.reset();
    }
    const tampered = await app.request('/me', { headers: bearer(`${token.slice(0, -2)}xx`) });
    expect(tampered.status).toBe(401);
    expect(tampered.headers.get('www-authenticate')).toBe(`${REALM}, error="invalid_token"`);
  });

  it('POST /logout revokes the token at once', async () => {
    const token = await login();
    expect((await app.request('/logout', { method: 'POST', headers: bearer(token) })).status).toBe(204);
    const res = await app.request('/me', { headers: bearer(token) });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`${REALM}, error="invalid_token", error_description="revoked"`);
  });

  it('/schema is the OpenAPI document with the OAuth2 password flow; public paths have security: []', async () => {
    const res = await app.request('/schema');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      components: { securitySchemes: Record<string, unknown> };
      security: unknown;
      paths: Record<string, Record<string, { security?: unknown }>>;
    };
    expect(doc.components.securitySchemes.OAuth2PasswordBearer).toMatchObject({ type: 'oauth2', flows: { password: { tokenUrl: '/token' } } });
    expect(doc.security).toEqual([{ OAuth2PasswordBearer: [] }]);
    expect(doc.paths['/token']?.post?.security).toEqual([]);
    expect(doc.paths['/me']?.get?.security).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------
// The real server: node examples/hono-jwt-oauth2/dist/server.js
// ---------------------------------------------------------------------------

const SERVER = fileURLToPath(new URL('../dist/server.js', import.meta.url));
const children = new Set<ChildProcess>();
const stop = (child: ChildProcess): Promise<void> => {
  children.delete(child);
  return stopProcess(child);
};

afterAll(async () => {
  await Promise.all([...children].map(stop));
});

/** Spawns the built server and resolves once its banner is printed (from the listen callback). */
async function start(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; stdout: () => string; exit: Promise<number | null> }> {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: build first (npx tsc -b examples/hono-jwt-oauth2)`);
  const port = await freePort();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...env };
  if (!('PORTCULLIS_ALICE_PASSWORD' in env)) delete childEnv.PORTCULLIS_ALICE_PASSWORD;
  if (!('JWT_SECRET' in env)) delete childEnv.JWT_SECRET;
  const child = spawn(process.execPath, [SERVER], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => (out += c));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 15_000);
    child.stdout!.on('data', (c: string) => {
      out += c;
      if (/\/me$/m.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exit.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
  return { child, url: `http://127.0.0.1:${port}`, stdout: () => out, exit };
}

describe('the real server (dist/server.js)', () => {
  it('prints a generated password that gets a token, and the token opens /me', async () => {
    const server = await start({});
    try {
      const password = /^ {2}password: (\S+)$/m.exec(server.stdout())?.[1];
      expect(password, server.stdout()).toBeDefined();
      expect(server.stdout()).toContain('JWT_SECRET is not set');
      const res = await fetch(`${server.url}/token`, { method: 'POST', headers: FORM, body: body({ grant_type: 'password', username: 'alice', password: password as string }) });
      expect(res.status).toBe(200);
      const { access_token } = (await res.json()) as { access_token: string };
      const me = await fetch(`${server.url}/me`, { headers: bearer(access_token) });
      expect(((await me.json()) as { user: string }).user).toBe('alice');
    } finally {
      await stop(server.child);
    }
  });

  it('with PORTCULLIS_ALICE_PASSWORD and JWT_SECRET set, prints neither', async () => {
    const secret = Buffer.alloc(32, 7).toString('base64url');
    const server = await start({ PORTCULLIS_ALICE_PASSWORD: 'env-password-Zq81', JWT_SECRET: secret });
    try {
      expect(server.stdout()).not.toContain('env-password-Zq81');
      expect(server.stdout()).not.toContain(secret);
      expect(server.stdout()).not.toContain('JWT_SECRET is not set');
      const res = await fetch(`${server.url}/token`, { method: 'POST', headers: FORM, body: body({ grant_type: 'password', username: 'alice', password: 'env-password-Zq81' }) });
      expect(res.status).toBe(200);
    } finally {
      await stop(server.child);
    }
  });

  it('a JWT_SECRET shorter than 32 bytes stops the server at startup', async () => {
    const server = await start({ JWT_SECRET: Buffer.from('too short').toString('base64url') });
    expect(await server.exit).toBe(1);
    expect(server.stdout()).toContain('JWT_SECRET must be');
  });
});
