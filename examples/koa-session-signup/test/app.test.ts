import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { MemorySessionStore, type SessionEvent } from '@portcullis/core';
import { pbkdf2Hasher } from '@portcullis/core/hashing';
import { bcryptHasher } from '@portcullis/hashers';
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

describe('koa-session-signup: the password policy at signup and password change', () => {
  const breachedList = new Set(['password1234', 'correct horse battery staple']);
  let listDown = false;
  const app = createApp({
    secret: SECRET,
    secure: false,
    hasher,
    breached: {
      isBreached: async (password) => {
        if (listDown) throw new Error('the breached-password file is gone');
        return breachedList.has(password);
      },
    },
  }).callback();
  const signup = (email: string, password: unknown) => request(app).post('/signup').set(SAME_ORIGIN).send({ name: 'Zoe', email, password });
  const loginAs = (email: string, password: string) => request(app).post('/login').set(SAME_ORIGIN).send({ email, password });

  it('PWD-11 7 characters → 422 password_too_short, and nothing is created: the same e-mail then signs up (201, not 409)', async () => {
    const short = await signup('short@example.com', 'seven77');
    expect(short.status).toBe(422);
    expect(short.body).toEqual({ error: 'password_too_short' });
    expect(short.headers['set-cookie']).toBeUndefined();
    expect((await loginAs('short@example.com', 'seven77')).status).toBe(401);
    expect((await signup('short@example.com', 'eight888')).status).toBe(201);
  });

  it('PWD-11 64 and 129 characters are accepted, and log in', async () => {
    for (const [email, password] of [['long64@example.com', 'x'.repeat(64)], ['long129@example.com', 'correct horse '.repeat(9) + 'abc']] as const) {
      expect((await signup(email, password)).status).toBe(201);
      expect((await loginAs(email, password)).status).toBe(200);
    }
  });

  it('PWD-12 over 1024 bytes → 422 password_too_long before any hashing, nothing created', async () => {
    const res = await signup('huge@example.com', '\u00e9'.repeat(513));
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ error: 'password_too_long' });
    expect((await signup('huge@example.com', 'a fine password')).status).toBe(201);
  });

  it('a password that is not a string → 400; the user\'s own e-mail or name is not a password (422)', async () => {
    expect((await signup('typed@example.com', 12345678)).status).toBe(400);
    const own = await signup('zoe.smith@example.com', 'zoe.smith@example.com');
    expect(own.status).toBe(422);
    expect(own.body).toEqual({ error: 'password_context_specific' });
    expect((await signup('zoe.smith@example.com', 'zoe.smith!1')).body).toEqual({ error: 'password_context_specific' });
    expect((await signup('zoe.smith@example.com', 'portcullis123')).body).toEqual({ error: 'password_context_specific' });
  });

  it('a breached password → 422 password_breached; a failing list → 503 breach_check_unavailable; neither creates the user', async () => {
    const breached = await signup('pwned@example.com', 'correct horse battery staple');
    expect(breached.status).toBe(422);
    expect(breached.body).toEqual({ error: 'password_breached' });
    listDown = true;
    try {
      const down = await signup('pwned@example.com', 'not on any list at all');
      expect(down.status).toBe(503);
      expect(down.body).toEqual({ error: 'breach_check_unavailable' });
    } finally {
      listDown = false;
    }
    expect((await signup('pwned@example.com', 'not on any list at all')).status).toBe(201);
  });

  it('POST /password: the current password is required; a refused new one changes nothing; a change issues a new session id', async () => {
    const cookie = sessionCookie(await signup('change@example.com', 'the first password')) as string;
    const change = (body: object, as = cookie) => request(app).post('/password').set(SAME_ORIGIN).set('Cookie', as).send(body);

    expect((await request(app).post('/password').set(SAME_ORIGIN).send({ current: 'x', password: 'y' })).status).toBe(401);
    expect((await change({ current: 'the wrong password', password: 'the second password' })).body).toEqual({ error: 'wrong_password' });
    expect((await change({ current: 'the first password' })).status).toBe(400);
    const short = await change({ current: 'the first password', password: 'short' });
    expect(short.status).toBe(422);
    expect(short.body).toEqual({ error: 'password_too_short' });
    expect((await change({ current: 'the first password', password: 'password1234' })).body).toEqual({ error: 'password_breached' });
    expect((await change({ current: 'the first password', password: 'change@example.com' })).body).toEqual({ error: 'password_context_specific' });
    // Nothing changed so far.
    expect((await loginAs('change@example.com', 'the first password')).status).toBe(200);

    const changed = await change({ current: 'the first password', password: 'the second password' });
    expect(changed.status).toBe(204);
    const fresh = sessionCookie(changed) as string;
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(cookie);
    expect((await request(app).get('/user').set('Cookie', cookie)).status).toBe(401);
    expect((await request(app).get('/user').set('Cookie', fresh)).body.email).toBe('change@example.com');
    expect((await loginAs('change@example.com', 'the first password')).status).toBe(401);
    expect((await loginAs('change@example.com', 'the second password')).status).toBe(200);
  });

  it('PWD-06 with bcrypt the maximum is 72 bytes, and what bcrypt refuses (NUL) is a 422 with its code, never a 500', async () => {
    const bcryptApp = createApp({ secret: SECRET, secure: false, hasher: bcryptHasher({ cost: 10 }) }).callback();
    const send = (email: string, password: string) => request(bcryptApp).post('/signup').set(SAME_ORIGIN).send({ name: 'B', email, password });
    expect((await send('b1@example.com', `${'a'.repeat(72)}X`)).body).toEqual({ error: 'password_too_long' });
    const nul = await send('b1@example.com', 'nul\u0000in the password');
    expect(nul.status).toBe(422);
    expect(nul.body).toEqual({ error: 'password_contains_nul' });
    expect((await send('b1@example.com', 'a'.repeat(72))).status).toBe(201);
  });

  it('PWD-11 a 15-character minimum when configured', async () => {
    const strict = createApp({ secret: SECRET, secure: false, hasher, minPasswordLength: 15 }).callback();
    const res = await request(strict).post('/signup').set(SAME_ORIGIN).send({ name: 'Y', email: 'y@example.com', password: 'fourteen chars' });
    expect(res.body).toEqual({ error: 'password_too_short' });
    expect((await request(strict).post('/signup').set(SAME_ORIGIN).send({ name: 'Y', email: 'y@example.com', password: 'fifteen chars!!' })).status).toBe(201);
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
