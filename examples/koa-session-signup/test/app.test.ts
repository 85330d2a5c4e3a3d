import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { MemorySessionStore, type SessionEvent } from '@portcullis/core';
import { ConfigurationError, HashingError, pbkdf2Hasher, type Hasher } from '@portcullis/core/hashing';
import { bcryptHasher, pepperedHasher } from '@portcullis/hashers';
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
  // The app's hasher, watched: PWD-12 asks for proof that an over-long password reaches no KDF.
  const spied = { ...hasher, hash: vi.fn(hasher.hash), verify: vi.fn(hasher.verify) } satisfies Hasher;
  const app = createApp({
    secret: SECRET,
    secure: false,
    hasher: spied,
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

  it('PWD-12 over 1024 bytes at signup, login and password change: refused before any hashing, nothing created', async () => {
    const cookie = sessionCookie(await signup('huge2@example.com', 'a fine password')) as string;
    spied.hash.mockClear();
    spied.verify.mockClear();
    const res = await signup('huge@example.com', '\u00e9'.repeat(513));
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ error: 'password_too_long' });
    expect((await loginAs('huge2@example.com', 'a'.repeat(1025))).status).toBe(401);
    expect((await loginAs('huge2@example.com', '\u00e9'.repeat(513))).status).toBe(401);
    const change = await request(app).post('/password').set(SAME_ORIGIN).set('Cookie', cookie).send({ current: 'a fine password', password: '\u00e9'.repeat(513) });
    expect(change.status).toBe(422);
    expect(change.body).toEqual({ error: 'password_too_long' });
    expect(spied.hash).not.toHaveBeenCalled();
    expect(spied.verify).not.toHaveBeenCalled();
    // Control: the spies see the app's hashing, and nothing was created.
    expect((await signup('huge@example.com', 'a fine password')).status).toBe(201);
    expect(spied.hash).toHaveBeenCalledTimes(1);
    expect((await loginAs('huge2@example.com', 'a fine password')).status).toBe(200);
    expect(spied.verify).toHaveBeenCalledTimes(1);
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

  it('PWD-06 plain bcrypt is refused at startup (64 characters must fit); behind a pepper it takes long passwords whole', async () => {
    const plain = (() => {
      try {
        createApp({ secret: SECRET, secure: false, hasher: bcryptHasher({ cost: 10 }) });
      } catch (error) {
        return error;
      }
    })();
    expect(plain).toBeInstanceOf(ConfigurationError);
    expect((plain as Error).message).toMatch(/argon2idHasher.*pepperedHasher/);

    const peppered = pepperedHasher({ inner: bcryptHasher({ cost: 10 }), peppers: { '2026a': 'the 2026a pepper, 32 bytes or more!' }, current: '2026a' });
    const bcryptApp = createApp({ secret: SECRET, secure: false, hasher: peppered }).callback();
    const send = (email: string, password: string) => request(bcryptApp).post('/signup').set(SAME_ORIGIN).send({ name: 'B', email, password });
    const login = (email: string, password: string) => request(bcryptApp).post('/login').set(SAME_ORIGIN).send({ email, password });
    expect((await send('b1@example.com', `${'a'.repeat(72)}X`)).status).toBe(201);
    expect((await login('b1@example.com', `${'a'.repeat(72)}Y`)).status).toBe(401);
    expect((await login('b1@example.com', `${'a'.repeat(72)}X`)).status).toBe(200);
    expect((await send('b2@example.com', '\u00e4'.repeat(64))).status).toBe(201);
  });

  it('what the hasher refuses after the policy passed is a 422 with its code, never a 500', async () => {
    const picky: Hasher = {
      ...hasher,
      hash: async (password) => {
        if (password.includes('\u0000')) throw new HashingError('password_contains_nul');
        return hasher.hash(password);
      },
    };
    const pickyApp = createApp({ secret: SECRET, secure: false, hasher: picky }).callback();
    const send = (password: string) => request(pickyApp).post('/signup').set(SAME_ORIGIN).send({ name: 'P', email: 'p@example.com', password });
    const nul = await send('nul\u0000in the password');
    expect(nul.status).toBe(422);
    expect(nul.body).toEqual({ error: 'password_contains_nul' });
    expect((await send('no nul in the password')).status).toBe(201);
  });

  it('PWD-11 a 15-character minimum when configured', async () => {
    const strict = createApp({ secret: SECRET, secure: false, hasher, minPasswordLength: 15 }).callback();
    const res = await request(strict).post('/signup').set(SAME_ORIGIN).send({ name: 'Y', email: 'y@example.com', password: 'fourteen chars' });
    expect(res.body).toEqual({ error: 'password_too_short' });
    expect((await request(strict).post('/signup').set(SAME_ORIGIN).send({ name: 'Y', email: 'y@example.com', password: 'fifteen chars!!' })).status).toBe(201);
  });
});

describe('koa-session-signup: POST /password against concurrent changes and other sessions', () => {
  const changeWith = (app: ReturnType<ReturnType<typeof createApp>['callback']>, cookie: string, current: string, password: string) =>
    request(app).post('/password').set(SAME_ORIGIN).set('Cookie', cookie).send({ current, password });
  const loginWith = (app: ReturnType<ReturnType<typeof createApp>['callback']>, email: string, password: string) =>
    request(app).post('/login').set(SAME_ORIGIN).send({ email, password });

  it('two changes made with the same old password: exactly one 204, the other 409 password_changed_concurrently; only the winner\'s password works', async () => {
    // Holds each hash of a new password until both changes have verified the old one, so the two really overlap.
    let gate: { waiting: number; open: () => void; opened: Promise<void> } | undefined;
    const gated: Hasher = {
      ...hasher,
      async hash(password) {
        const g = gate;
        if (g !== undefined) {
          if (--g.waiting === 0) g.open();
          await g.opened;
        }
        return hasher.hash(password);
      },
    };
    const app = createApp({ secret: SECRET, secure: false, hasher: gated, log: () => {} }).callback();
    const email = 'race@example.com';
    const victim = sessionCookie(await request(app).post('/signup').set(SAME_ORIGIN).send({ name: 'Vic', email, password: 'the old password' })) as string;
    // The attacker knows the old password and has a session of their own.
    const attacker = sessionCookie(await loginWith(app, email, 'the old password')) as string;

    let open = () => {};
    const opened = new Promise<void>((resolve) => (open = resolve));
    gate = { waiting: 2, open, opened };
    const [mine, theirs] = await Promise.all([
      changeWith(app, victim, 'the old password', 'the victim password'),
      changeWith(app, attacker, 'the old password', 'the attacker password'),
    ]);
    gate = undefined;

    expect([mine.status, theirs.status].sort()).toEqual([204, 409]);
    const [winner, loser] = mine.status === 204 ? [mine, theirs] : [theirs, mine];
    expect(loser.body).toEqual({ error: 'password_changed_concurrently' });
    const [won, lost] = mine.status === 204 ? ['the victim password', 'the attacker password'] : ['the attacker password', 'the victim password'];
    expect((await loginWith(app, email, won)).status).toBe(200);
    expect((await loginWith(app, email, lost)).status).toBe(401);
    expect((await loginWith(app, email, 'the old password')).status).toBe(401);
    // The winner's new session works; the loser's session ended with the change.
    expect((await request(app).get('/user').set('Cookie', sessionCookie(winner) as string)).status).toBe(200);
    expect((await request(app).get('/user').set('Cookie', mine.status === 204 ? attacker : victim)).status).toBe(401);
  });

  /** An app whose signups store an outdated hash (500 iterations), which the next successful verification upgrades (onRehash). */
  function appWithOutdatedHashes() {
    const weak = pbkdf2Hasher({ iterations: 500 });
    let outdated = false;
    const hashing: Hasher = { ...hasher, hash: (password) => (outdated ? weak : hasher).hash(password) };
    const app = createApp({ secret: SECRET, secure: false, hasher: hashing, log: () => {} }).callback();
    async function signup(email: string, password: string): Promise<string> {
      outdated = true;
      try {
        return sessionCookie(await request(app).post('/signup').set(SAME_ORIGIN).send({ name: 'Uma', email, password })) as string;
      } finally {
        outdated = false;
      }
    }
    return { app, signup };
  }

  it('a change whose verification upgraded the old hash (onRehash) still lands: the expected hash is the upgraded one', async () => {
    const email = 'upgrade@example.com';
    const { app, signup } = appWithOutdatedHashes();
    const cookie = await signup(email, 'the old password');
    const changed = await changeWith(app, cookie, 'the old password', 'the new password');
    expect(changed.status).toBe(204);
    expect((await loginWith(app, email, 'the new password')).status).toBe(200);
    expect((await loginWith(app, email, 'the old password')).status).toBe(401);
  });

  it('SES-08 a change ends the user\'s other sessions (ASVS 5.0 7.4.3); a login that only upgrades the hash ends none', async () => {
    const email = 'sessions@example.com';
    const { app, signup } = appWithOutdatedHashes();
    const laptop = await signup(email, 'the old password');
    // This login upgrades the hash: same password, so the laptop's session stays.
    const phone = sessionCookie(await loginWith(app, email, 'the old password')) as string;
    expect((await request(app).get('/user').set('Cookie', laptop)).status).toBe(200);

    const changed = await changeWith(app, phone, 'the old password', 'the new password');
    expect(changed.status).toBe(204);
    expect((await request(app).get('/user').set('Cookie', laptop)).status).toBe(401);
    expect((await request(app).get('/user').set('Cookie', phone)).status).toBe(401);
    expect((await request(app).get('/user').set('Cookie', sessionCookie(changed) as string)).status).toBe(200);
    // A later login opens a session that stays.
    const later = sessionCookie(await loginWith(app, email, 'the new password')) as string;
    expect((await request(app).get('/user').set('Cookie', later)).status).toBe(200);
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
