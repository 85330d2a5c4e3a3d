import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test-support/ports.js';
import { redisGate } from '../../../test-support/services.js';
import { cookieFrom as cookieOf } from '../../../test-support/responses.js';
import { ACCOUNT, startApp } from './support.js';

const gate = await redisGate('express-session-redis example');
const HTML = 'text/html,application/xhtml+xml';
const SAME_ORIGIN = { 'Sec-Fetch-Site': 'same-origin' };

function hidden(html: string, name: string): string {
  return (new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '').replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
}

describe.runIf(gate === 'fail')('express-session-redis needs Redis', () => {
  it('Redis is reachable at 127.0.0.1:6379 (required when CI is set)', () => {
    throw new Error('Redis is not reachable at 127.0.0.1:6379');
  });
});

describe.runIf(gate === 'run')('express-session-redis: login form → cookie → guarded page → logout, sessions in Redis', () => {
  let app: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  async function logIn(next = '/account?tab=1') {
    const form = await request(app.url).get(`/login?next=${encodeURIComponent(next)}`).set('Accept', HTML);
    return request(app.url)
      .post('/login')
      .type('form')
      .send({ username: ACCOUNT.username, password: ACCOUNT.password, next: hidden(form.text, 'next'), _csrf: hidden(form.text, '_csrf') });
  }

  it('an anonymous browser is sent to /login?next=…, and nothing is stored', async () => {
    const res = await request(app.url).get('/account?tab=1').set('Accept', HTML);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Faccount%3Ftab%3D1');
    expect(await app.keys()).toEqual([]);
  });

  it('the login form posts back; 303 to the validated next with a session stored in Redis under a hashed key', async () => {
    const res = await logIn();
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/account?tab=1');
    const cookie = cookieOf(res) as string;
    expect(cookie).toMatch(/^id=s%3A[A-Za-z0-9_-]{43}\./);
    expect(res.headers['cache-control']).toBe('no-store');
    const keys = await app.keys();
    expect(keys).toHaveLength(1);
    const id = decodeURIComponent(cookie.slice(3)).slice(2, 45);
    expect(keys[0]).not.toContain(id);
    const account = await request(app.url).get('/account').set('Accept', HTML).set('Cookie', cookie);
    expect(account.status).toBe(200);
    expect(account.text).toContain('Hello, demo');
  });

  it('RED-03 an off-site next falls back to /account', async () => {
    const res = await logIn('https://evil.example/phish');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/account');
  });

  it('a wrong password answers 401 with the form again, and no session', async () => {
    const res = await request(app.url).post('/login').set(SAME_ORIGIN).type('form').send({ username: 'demo', password: 'nope' });
    expect(res.status).toBe(401);
    expect(res.text).toContain('Wrong user name or password');
    expect(cookieOf(res)).toBeUndefined();
  });

  it('logout (form with the CSRF token, no Origin: curl-style) destroys the session in Redis', async () => {
    const { cookie } = (await app.loginAsDemo()).headers as { cookie: string };
    const before = (await app.keys()).length;
    const account = await request(app.url).get('/account').set('Cookie', cookie);
    const out = await request(app.url).post('/logout').set('Cookie', cookie).type('form').send({ _csrf: hidden(account.text, '_csrf') });
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/login');
    expect(out.headers['set-cookie']?.[0]).toBe('id=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax');
    expect((await app.keys()).length).toBe(before - 1);
    const replay = await request(app.url).get('/account').set('Accept', HTML).set('Cookie', cookie);
    expect(replay.status).toBe(303);
  });

  it('CSRF: a logout without token or Origin → 403; cross-site → 403; GET /logout → 405', async () => {
    const { cookie } = (await app.loginAsDemo()).headers as { cookie: string };
    expect((await request(app.url).post('/logout').set('Cookie', cookie).type('form').send({})).status).toBe(403);
    expect((await request(app.url).post('/logout').set('Cookie', cookie).set('Origin', 'https://evil.example')).status).toBe(403);
    expect((await request(app.url).get('/logout').set('Cookie', cookie)).status).toBe(405);
    expect((await request(app.url).get('/account').set('Cookie', cookie)).status).toBe(200);
  });
});

// ---------------------------------------------------------------------------
// The built server: node examples/express-session-redis/dist/server.js
// ---------------------------------------------------------------------------

const SERVER = fileURLToPath(new URL('../dist/server.js', import.meta.url));
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

describe.runIf(gate === 'run')('the real server (dist/server.js) on Redis', () => {
  it('prints a generated demo password that logs in; stops on SIGTERM', async () => {
    if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: build first (npx tsc -b examples/express-session-redis)`);
    const port = await freePort();
    const child = spawn(process.execPath, [SERVER], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'development', DEMO_PASSWORD: '', SESSION_SECRET: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 10_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('/account')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
    });
    const password = /^ {2}password: (\S+)$/m.exec(out)?.[1] as string;
    expect(password).toBeTruthy();
    const url = `http://127.0.0.1:${port}`;
    const res = await request(url).post('/login').set(SAME_ORIGIN).type('form').send({ username: 'demo', password, next: '/account' });
    expect(res.status).toBe(303);
    const cookie = cookieOf(res) as string;
    expect((await request(url).get('/account').set('Cookie', cookie)).text).toContain('Hello, demo');
    expect((await request(url).post('/logout').set(SAME_ORIGIN).set('Cookie', cookie)).status).toBe(303);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 30_000);
});

// TRUST_PROXY values are checked at startup: examples/startup/test/first-run.test.ts.
