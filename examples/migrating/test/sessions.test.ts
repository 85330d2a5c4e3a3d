// docs/migrating.md, "passport-local with sessions": express-session + Passport
// against Portcullis sessions on the same Express app shape.
import request from 'supertest';
import { expect } from 'vitest';
import * as passportLocalAfter from '../src/passport-local-after.js';
import * as passportLocalBefore from '../src/passport-local-before.js';
import { cookieFrom, setCookies } from '../../../test-support/responses.js';
import { ALICE, migration, type Target } from './support.js';

const options = { secret: 'migrating-guide-session-secret-0123456789', secure: false };
const before = passportLocalBefore.createApp(options);
const after = passportLocalAfter.createApp(options);
const COOKIE = { before: 'connect.sid', after: 'id' } as const;
type Side = keyof typeof COOKIE;

/** What a browser sends with a form posted from the app's own page. */
const SAME_ORIGIN = { 'Sec-Fetch-Site': 'same-origin' };
const CROSS_SITE = { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' };
const HTML = { Accept: 'text/html' };
const form = { username: ALICE.username, password: ALICE.password };

const postLogin = (app: Target, headers: Record<string, string> = {}, body: Record<string, string> = form) =>
  request(app).post('/login').set(headers).type('form').send(body);

/** Logs ALICE in and returns the session cookie (`name=value`). */
async function logIn(app: Target, side: Side): Promise<string> {
  const res = await postLogin(app, SAME_ORIGIN);
  const cookie = cookieFrom(res, COOKIE[side]);
  expect(cookie, `${side}: no ${COOKIE[side]} cookie`).toBeDefined();
  return cookie!;
}

/** Whether `cookie` opens /account (else the app sends the browser to /login). */
async function signedIn(app: Target, cookie: string): Promise<boolean> {
  const res = await request(app).get('/account').set(HTML).set('Cookie', cookie);
  if (res.status === 200) {
    expect(res.text).toBe('Hello, alice');
    return true;
  }
  expect([302, 303]).toContain(res.status);
  expect(res.headers.location).toMatch(/^\/login/);
  return false;
}

const sides = [
  ['before', before],
  ['after', after],
] as const;

migration('passport-local with sessions', {
  'log in with the right password': async () => {
    const [b, a] = await Promise.all([postLogin(before, SAME_ORIGIN), postLogin(after, SAME_ORIGIN)]);
    expect([b.status, b.headers.location]).toEqual([302, '/account']);
    expect([a.status, a.headers.location]).toEqual([303, '/account']);
    for (const [side, app] of sides) expect(await signedIn(app, await logIn(app, side))).toBe(true);
  },
  'the session cookie': async () => {
    const [b, a] = await Promise.all([postLogin(before, SAME_ORIGIN), postLogin(after, SAME_ORIGIN)]);
    expect(setCookies(b).map((c) => c.split('=')[0])).toEqual(['connect.sid']);
    expect(setCookies(a).map((c) => c.split('=')[0])).toEqual(['id']);
    expect(String(b.headers['set-cookie'])).toMatch(/; Path=\/; HttpOnly$/);
    expect(String(a.headers['set-cookie'])).toMatch(/; Path=\/; HttpOnly; SameSite=Lax$/);
  },
  'log in again while signed in (session fixation)': async () => {
    for (const [side, app] of sides) {
      const first = await logIn(app, side);
      const res = await postLogin(app, { ...SAME_ORIGIN, Cookie: first });
      const second = cookieFrom(res, COOKIE[side]);
      expect(second).toBeDefined();
      expect(second).not.toBe(first);
      expect(await signedIn(app, first)).toBe(false);
      expect(await signedIn(app, second!)).toBe(true);
    }
  },
  'wrong password': async () => {
    const body = { username: ALICE.username, password: 'not the password' };
    const [b, a] = await Promise.all([postLogin(before, SAME_ORIGIN, body), postLogin(after, SAME_ORIGIN, body)]);
    expect([b.status, b.headers.location]).toEqual([302, '/login']);
    expect(a.status).toBe(401);
    expect(a.text).toBe('Wrong user name or password');
    expect(setCookies(a)).toEqual([]);
  },
  'anonymous browser asks for `/account`': async () => {
    const [b, a] = await Promise.all([request(before).get('/account').set(HTML), request(after).get('/account').set(HTML)]);
    expect([b.status, b.headers.location]).toEqual([302, '/login']);
    expect([a.status, a.headers.location]).toEqual([303, '/login?next=%2Faccount']);
  },
  'anonymous API client (`Accept: application/json`) asks for `/account`': async () => {
    const json = { Accept: 'application/json' };
    const [b, a] = await Promise.all([request(before).get('/account').set(json), request(after).get('/account').set(json)]);
    expect([b.status, b.headers.location]).toEqual([302, '/login']);
    expect(a.status).toBe(403);
    expect(a.body).toEqual({ error: 'forbidden' });
  },
  'login form posting `next`': async () => {
    const tab = { ...form, next: '/account?tab=1' };
    const evil = { ...form, next: '//evil.example' };
    expect((await postLogin(before, SAME_ORIGIN, tab)).headers.location).toBe('/account');
    expect((await postLogin(after, SAME_ORIGIN, tab)).headers.location).toBe('/account?tab=1');
    expect((await postLogin(after, SAME_ORIGIN, evil)).headers.location).toBe('/account');
  },
  'cross-site login form (`Origin: https://evil.example`)': async () => {
    const [b, a] = await Promise.all([postLogin(before, CROSS_SITE), postLogin(after, CROSS_SITE)]);
    expect([b.status, b.headers.location]).toEqual([302, '/account']);
    expect(await signedIn(before, cookieFrom(b, COOKIE.before)!)).toBe(true);
    expect(a.status).toBe(403);
    expect(setCookies(a)).toEqual([]);
  },
  'cross-site logout form, with the cookie': async () => {
    const cookies = { before: await logIn(before, 'before'), after: await logIn(after, 'after') };
    const b = await request(before).post('/logout').set(CROSS_SITE).set('Cookie', cookies.before);
    const a = await request(after).post('/logout').set(CROSS_SITE).set('Cookie', cookies.after);
    expect(b.status).toBe(302);
    expect(await signedIn(before, cookies.before)).toBe(false);
    expect(a.status).toBe(403);
    expect(await signedIn(after, cookies.after)).toBe(true);
  },
  'POST with the cookie but no `Origin`, `Sec-Fetch-Site` or CSRF token': async () => {
    const cookies = { before: await logIn(before, 'before'), after: await logIn(after, 'after') };
    const b = await request(before).post('/logout').set('Cookie', cookies.before);
    const a = await request(after).post('/logout').set('Cookie', cookies.after);
    expect(b.status).toBe(302);
    expect(await signedIn(before, cookies.before)).toBe(false);
    expect(a.status).toBe(403);
    expect(await signedIn(after, cookies.after)).toBe(true);
  },
  'log out, then send the old cookie': async () => {
    for (const [side, app] of sides) {
      const cookie = await logIn(app, side);
      const res = await request(app).post('/logout').set(SAME_ORIGIN).set('Cookie', cookie);
      expect([302, 303]).toContain(res.status);
      expect(res.headers.location).toBe('/login');
      expect(await signedIn(app, cookie)).toBe(false);
    }
  },
});
