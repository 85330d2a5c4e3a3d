import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { pbkdf2Hasher } from '@portcullis/core/hashing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieFrom, setCookies } from '../../../test-support/responses.js';
import { createApp } from '../src/app.js';

const ACCOUNT = { username: 'alice', password: 'correct horse battery staple' };
const SAME_ORIGIN = { 'Sec-Fetch-Site': 'same-origin' };
const FORM = 'application/x-www-form-urlencoded';

/** The `Set-Cookie` line of the session cookie, attributes included. */
function sessionCookieLine(res: { headers: Record<string, unknown> }): string | undefined {
  return ([] as string[]).concat((res.headers['set-cookie'] as string[] | undefined) ?? []).find((line) => line.startsWith('id='));
}

/** The hidden `_csrf` field of a page's form. */
function csrfField(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  expect(token, 'the page has a _csrf field').toBeDefined();
  return token!;
}

describe.each(['express', 'fastify'] as const)('nest-session-login on Nest with %s', (platform) => {
  let app: INestApplication;
  let server: Server;
  const events: string[] = [];
  beforeAll(async () => {
    // A fast hasher for the test only; the app's default is OWASP's PBKDF2 count.
    app = await createApp(platform, { secret: 'nest-session-login-test-secret-0123456789', account: ACCOUNT, secure: false, hasher: pbkdf2Hasher({ iterations: 1_000 }), log: (event) => events.push(event.event) });
    server = app.getHttpServer() as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => app.close());

  async function logIn(password = ACCOUNT.password, cookie?: string) {
    return request(server)
      .post('/login')
      .set(SAME_ORIGIN)
      .set(cookie === undefined ? {} : { Cookie: cookie })
      .type(FORM)
      .send({ username: ACCOUNT.username, password, next: '/account?tab=1' });
  }

  it('an anonymous browser asking for /account is sent to the login form, keeping where it wanted to go', async () => {
    const res = await request(server).get('/account?tab=1').set('Accept', 'text/html');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Faccount%3Ftab%3D1');
    expect(setCookies(res)).toEqual([]); // no session for anonymous visitors (SES-12)
  });

  it('the login form carries the validated next and a CSRF token; an off-site next is dropped', async () => {
    const form = await request(server).get('/login?next=%2Faccount%3Ftab%3D1');
    expect(form.status).toBe(200);
    expect(form.headers['content-type']).toMatch(/^text\/html/);
    expect(form.text).toContain('name="next" value="/account?tab=1"');
    csrfField(form.text);
    const offsite = await request(server).get('/login?next=%2F%2Fevil.example');
    expect(offsite.text).toContain('name="next" value=""');
  });

  it('a wrong password goes back to the form, without a session', async () => {
    const res = await logIn('wrong password');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?failed=1&next=%2Faccount%3Ftab%3D1');
    expect(setCookies(res)).toEqual([]);
  });

  it('CK-01 login: 303 to next with a fresh session cookie (HttpOnly, SameSite=Lax, never cached); /account knows the user', async () => {
    const res = await logIn();
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/account?tab=1');
    expect(res.headers['cache-control']).toBe('no-store');
    const line = sessionCookieLine(res);
    expect(line).toMatch(/; HttpOnly/i);
    expect(line).toMatch(/; SameSite=Lax/i);
    const cookie = cookieFrom(res, 'id')!;
    const account = await request(server).get('/account').set('Cookie', cookie);
    expect(account.status).toBe(200);
    expect(account.text).toContain('<h1>Hello, alice</h1>');
    expect((await request(server).get('/').set('Cookie', cookie)).text).toContain('Signed in as alice');
  });

  it('SES-01 a login that carries a session cookie from before it gets a new id, and the old cookie is anonymous afterwards', async () => {
    // The pre-login cookie: this app opens no session for anonymous visitors (SES-12), so a live one from
    // an earlier login, and one an attacker planted (an id the store never issued).
    const before = cookieFrom(await logIn(), 'id')!;
    expect((await request(server).get('/').set('Cookie', before)).text).toContain('Signed in as alice');
    for (const old of [before, 'id=planted-by-an-attacker']) {
      const res = await logIn(ACCOUNT.password, old);
      expect(res.status).toBe(303);
      const fresh = cookieFrom(res, 'id')!;
      expect(fresh).toMatch(/^id=./);
      expect(fresh).not.toBe(old);
      expect((await request(server).get('/').set('Cookie', fresh)).text).toContain('Signed in as alice');
      const replayed = await request(server).get('/account').set('Cookie', old).set('Accept', 'text/html');
      expect([old, replayed.status, replayed.headers.location]).toEqual([old, 303, '/login?next=%2Faccount']); // anonymous
      expect((await request(server).get('/').set('Cookie', old)).text).toContain('Hello, you');
    }
  });

  it('SES-02 logout through the form (its _csrf field, for a client that sends no Origin): the old cookie is anonymous afterwards', async () => {
    const cookie = cookieFrom(await logIn(), 'id')!;
    const account = await request(server).get('/account').set('Cookie', cookie);
    const out = await request(server).post('/logout').set('Cookie', cookie).type(FORM).send({ _csrf: csrfField(account.text) });
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/login');
    expect(sessionCookieLine(out)).toMatch(/^id=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/i); // deleted with the same attributes
    const replayed = await request(server).get('/account').set('Cookie', cookie).set('Accept', 'text/html');
    expect(replayed.status).toBe(303); // back to the login form: the session was destroyed server-side
  });

  it('CSRF-06 CSRF-08 CSRF-09 a logout without Origin nor _csrf, a cross-site login and GET /logout are refused', async () => {
    const cookie = cookieFrom(await logIn(), 'id')!;
    expect((await request(server).post('/logout').set('Cookie', cookie).type(FORM).send({})).status).toBe(403);
    const crossSite = await request(server).post('/login').set('Sec-Fetch-Site', 'cross-site').set('Origin', 'https://evil.example').type(FORM).send(ACCOUNT);
    expect(crossSite.status).toBe(403);
    expect((await request(server).get('/logout').set('Cookie', cookie)).status).toBe(405);
    expect((await request(server).get('/account').set('Cookie', cookie)).status).toBe(200); // still logged in
  });
});
