import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { MemorySessionStore, type SessionEvent } from '@portcullis/core';
import { pbkdf2Hasher } from '@portcullis/core/hashing';
import { createApp } from '../src/app.js';
import { freePort } from '../../../test-support/ports.js';
import { cookieFrom as sessionCookie } from '../../../test-support/responses.js';

const SECRET = 'koa-example-test-secret-0123456789abcdef';
// A fast hasher for the test only; the app defaults to OWASP's 600,000 iterations.
const hasher = pbkdf2Hasher({ iterations: 1_000 });
const SAME_ORIGIN = { 'Sec-Fetch-Site': 'same-origin' };

describe('koa-session-signup: the Litestar SessionAuth example', () => {
  const store = new MemorySessionStore();
  const app = createApp({ secret: SECRET, secure: false, store, hasher }).callback();

  async function signup(email: string) {
    return request(app).post('/signup').set(SAME_ORIGIN).send({ name: 'Alice', email, password: 'correct horse battery' });
  }

  it('POST /signup creates the user and the session; GET /user returns it', async () => {
    const res = await signup('alice@example.com');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Alice', email: 'alice@example.com' });
    expect(res.body.passwordHash).toBeUndefined();
    const cookie = sessionCookie(res) as string;
    expect(cookie).toMatch(/^id=[A-Za-z0-9_-]{43}$/);
    expect(res.headers['cache-control']).toBe('no-store');
    const user = await request(app).get('/user').set('Cookie', cookie);
    expect(user.status).toBe(200);
    expect(user.body).toEqual(res.body);
  });

  it('GET /user without a session → 401', async () => {
    expect((await request(app).get('/user')).status).toBe(401);
  });

  it('POST /login with a wrong email → 401; with the right password → 200 and a new session id', async () => {
    const created = await signup('bob@example.com');
    expect((await request(app).post('/login').set(SAME_ORIGIN).send({ email: 'nobody@example.com', password: 'correct horse battery' })).status).toBe(401);
    expect((await request(app).post('/login').set(SAME_ORIGIN).send({ email: 'bob@example.com', password: 'wrong' })).status).toBe(401);
    const res = await request(app).post('/login').set(SAME_ORIGIN).set('Cookie', sessionCookie(created) as string).send({ email: 'bob@example.com', password: 'correct horse battery' });
    expect(res.status).toBe(200);
    expect(sessionCookie(res)).not.toBe(sessionCookie(created));
    // SES-01: the session the client came with is gone.
    expect((await request(app).get('/user').set('Cookie', sessionCookie(created) as string)).status).toBe(401);
    expect((await request(app).get('/user').set('Cookie', sessionCookie(res) as string)).body.email).toBe('bob@example.com');
  });

  it('POST /logout, then GET /user with the same cookie → 401', async () => {
    const cookie = sessionCookie(await signup('carol@example.com')) as string;
    const out = await request(app).post('/logout').set(SAME_ORIGIN).set('Cookie', cookie);
    expect(out.status).toBe(204);
    expect(out.headers['set-cookie']?.[0]).toMatch(/^id=;/);
    expect((await request(app).get('/user').set('Cookie', cookie)).status).toBe(401);
  });

  it('/login, /signup and /schema are excluded; GET /logout is 405; a cross-site logout is 403', async () => {
    expect((await request(app).get('/schema')).status).toBe(200);
    const cookie = sessionCookie(await signup('dave@example.com')) as string;
    expect((await request(app).get('/logout').set('Cookie', cookie)).status).toBe(405);
    const csrf = await request(app).post('/logout').set('Cookie', cookie).set('Origin', 'https://evil.example');
    expect(csrf.status).toBe(403);
    expect((await request(app).get('/user').set('Cookie', cookie)).status).toBe(200);
  });

  it('signup validation: 400 for bad input, 409 for a taken e-mail', async () => {
    expect((await request(app).post('/signup').set(SAME_ORIGIN).send({ email: 'x' })).status).toBe(400);
    await signup('erin@example.com');
    expect((await signup('ERIN@example.com')).status).toBe(409);
  });

  it('with Secure cookies over plain HTTP nothing is issued (403), never a 500', async () => {
    const secureApp = createApp({ secret: SECRET, hasher, log: () => {} }).callback();
    const res = await request(secureApp).post('/signup').set(SAME_ORIGIN).send({ name: 'F', email: 'f@example.com', password: 'correct horse battery' });
    expect(res.status).toBe(403);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('CK-04 a signup refused over plain HTTP creates no account and is logged: a retry is 403 again (not 409), and over HTTPS it is 201', async () => {
    const events: SessionEvent[] = [];
    const secureApp = createApp({ secret: SECRET, hasher, trustProxy: true, log: (e) => events.push(e) }).callback();
    const body = { name: 'H', email: 'h@example.com', password: 'correct horse battery' };
    for (let i = 0; i < 2; i++) {
      const res = await request(secureApp).post('/signup').set(SAME_ORIGIN).send(body);
      expect(res.status).toBe(403);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(events.map((e) => e.event)).toEqual(['session_insecure_transport', 'session_insecure_transport']);
    expect(typeof events[0]?.hint).toBe('string');
    const https = await request(secureApp).post('/signup').set(SAME_ORIGIN).set('X-Forwarded-Proto', 'https').send(body);
    expect(https.status).toBe(201);
    expect(sessionCookie(https, '__Host-id')).toBeDefined();
  });
});

// The built server: node examples/koa-session-signup/dist/server.js
const SERVER = fileURLToPath(new URL('../dist/server.js', import.meta.url));
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

describe('the real server (dist/server.js)', () => {
  // TRUST_PROXY values are checked at startup: examples/startup/test/first-run.test.ts.
  it('starts, serves the signup → user → logout flow, and stops on SIGTERM', async () => {
    if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: build first (npx tsc -b examples/koa-session-signup)`);
    const port = await freePort();
    const child = spawn(process.execPath, [SERVER], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'development', SESSION_SECRET: SECRET },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 10_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes(`http://127.0.0.1:${port}`)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
    });
    const url = `http://127.0.0.1:${port}`;
    const res = await request(url).post('/signup').set(SAME_ORIGIN).send({ name: 'Gus', email: 'gus@example.com', password: 'correct horse battery' });
    expect(res.status).toBe(201);
    const cookie = sessionCookie(res) as string;
    expect((await request(url).get('/user').set('Cookie', cookie)).body.name).toBe('Gus');
    expect((await request(url).post('/logout').set(SAME_ORIGIN).set('Cookie', cookie)).status).toBe(204);
    expect((await request(url).get('/user').set('Cookie', cookie)).status).toBe(401);
    expect(out).not.toContain(SECRET);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 30_000);
});
