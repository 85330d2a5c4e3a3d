import { safeNext, sessionAuth } from '@portcullis/core';
import { expect } from 'vitest';
import type { Client, Scenario } from '../../scenario.js';
import {
  Accounts,
  SAME_ORIGIN,
  answering,
  cookie,
  cookieValue,
  formBody,
  loginOf,
  logoutOf,
  sessionOf,
  sessionsOf,
  type SessionStoreFactory,
} from './fixtures.js';

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const FORM = 'application/x-www-form-urlencoded';
const AVOID = { avoid: ['/login', '/logout'] };

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The hidden `name` input of the login form. */
function hidden(html: string, name: string): string | undefined {
  return new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1]?.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
}

async function loginForm(t: Client, query = '') {
  return t.get(`/login${query}`).set('Accept', HTML);
}

/**
 * Redirect-to-login through a session: a guarded browser GET answers 303
 * `/login?next=…`; the login form posts back (with `next` and a CSRF token);
 * a successful login answers 303 to the validated `next` (safeNext) with a new
 * session; `next` may also wait in the pre-login session and survive the id
 * rotation (`keepOnLogin`).
 */
export function redirectToLogin(stores: SessionStoreFactory): Scenario {
  return {
    id: `sessions-redirect-login (${stores.name})`,
    title: 'guarded page → 303 /login?next → login form → 303 to the validated next',
    needs: ['sessions'],
    app: () => {
      const accounts = new Accounts();
      const ready = accounts.create('Alice', 'alice@example.com', 'alicepwd-long-enough');
      return {
        backend: sessionAuth({ retrieveUser: (session) => accounts.byId(session.user_id), mode: 'optional' }),
        sessions: sessionsOf(stores),
        routes: [
          {
            method: 'GET',
            path: '/dashboard',
            requires: { scopes: 'authenticated', options: { redirect: '/login' } },
            handler: (view) => ({ text: `Dashboard of ${view.user.displayName}` }),
          },
          {
            method: 'GET',
            path: '/login',
            handler: (view) =>
              answering(view, async () => {
                const session = sessionOf(view);
                const asked = view.query.get('next');
                // Pre-login data: the target waits in the session (only when there is one to keep).
                if (asked !== null && view.query.get('remember') === '1') await session.set('next', safeNext(asked, '/', AVOID));
                const next = asked === null ? '' : safeNext(asked, '/', AVOID);
                const token = await session.csrfToken();
                return {
                  headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
                  text:
                    `<form method="post" action="/login">` +
                    `<input name="username"><input name="password" type="password">` +
                    `<input type="hidden" name="next" value="${escapeHtml(next)}">` +
                    `<input type="hidden" name="_csrf" value="${escapeHtml(token)}">` +
                    `<button>Log in</button></form>`,
                };
              }),
          },
          {
            method: 'POST',
            path: '/login',
            handler: (view) =>
              answering(view, async () => {
                await ready;
                const form = formBody(view);
                const account = await accounts.backend.verifyCredentials(
                  form.get('username') ?? '',
                  form.get('password') ?? '',
                  view.connection,
                );
                if (account === null) return { status: 401, text: 'Wrong user name or password' };
                const waiting = await sessionOf(view).get('next');
                await loginOf(view)(account, { user_id: account.id });
                const target = safeNext(form.get('next') || (typeof waiting === 'string' ? waiting : undefined), '/', AVOID);
                return { status: 303, headers: { location: target, 'cache-control': 'no-store' }, text: '' };
              }),
          },
          {
            method: 'POST',
            path: '/logout',
            handler: (view) =>
              answering(view, async () => {
                await logoutOf(view)();
                return { status: 303, headers: { location: '/login' }, text: '' };
              }),
          },
        ],
      };
    },
    cases: [
      {
        name: 'GRD-13 a guarded browser GET → 303 /login?next=%2Fdashboard%3Ftab%3D1, no challenge, no cookie',
        async run(t) {
          const res = await t.get('/dashboard?tab=1').set('Accept', HTML);
          expect(res.status).toBe(303);
          expect(res.headers['location']).toBe('/login?next=%2Fdashboard%3Ftab%3D1');
          expect(res.headers['www-authenticate']).toBeUndefined();
          expect(res.headers['set-cookie']).toBeUndefined();
        },
      },
      {
        name: 'the login form carries the validated next and a CSRF token, and stores nothing',
        async run(t) {
          const res = await loginForm(t, '?next=%2Fdashboard%3Ftab%3D1');
          expect(res.status).toBe(200);
          expect(hidden(res.text, 'next')).toBe('/dashboard?tab=1');
          expect(hidden(res.text, '_csrf')).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
          expect(res.headers['set-cookie']).toBeUndefined();
        },
      },
      {
        name: 'the form posts back: 303 to next with a new session, and the guarded page opens',
        async run(t) {
          const form = await loginForm(t, '?next=%2Fdashboard%3Ftab%3D1');
          const res = await t
            .post('/login')
            .set(SAME_ORIGIN)
            .type(FORM)
            .send({ username: 'alice@example.com', password: 'alicepwd-long-enough', next: hidden(form.text, 'next'), _csrf: hidden(form.text, '_csrf') });
          expect(res.status).toBe(303);
          expect(res.headers['location']).toBe('/dashboard?tab=1');
          const sid = cookieValue(res);
          expect(sid).toBeTruthy();
          const page = await t.get('/dashboard?tab=1').set('Accept', HTML).set('Cookie', cookie(sid as string));
          expect(page.status).toBe(200);
          expect(page.text).toBe('Dashboard of Alice');
        },
      },
      {
        name: 'a wrong password re-answers 401 and issues no session',
        async run(t) {
          const res = await t.post('/login').set(SAME_ORIGIN).type(FORM).send({ username: 'alice@example.com', password: 'nope', next: '/dashboard' });
          expect(res.status).toBe(401);
          expect(res.headers['set-cookie']).toBeUndefined();
        },
      },
      ...(
        [
          ['RED-03', 'https://evil.example'],
          ['RED-04', '//evil.example'],
          ['RED-06', '/\\evil.example'],
          ['RED-12', 'javascript:alert(1)'],
          ['RED-22', '/logout'],
        ] as const
      ).map(([id, next]) => ({
        name: `${id} POST /login with next=${next} → 303 /`,
        async run(t: Client) {
          const res = await t.post('/login').set(SAME_ORIGIN).type(FORM).send({ username: 'alice@example.com', password: 'alicepwd-long-enough', next });
          expect(res.status).toBe(303);
          expect(res.headers['location']).toBe('/');
        },
      })),
      {
        name: 'SES-01 pre-login next survives the rotation (keepOnLogin), the pre-login id does not',
        async run(t) {
          const form = await loginForm(t, '?next=%2Fdashboard%3Fsaved%3D1&remember=1');
          const pre = cookieValue(form);
          expect(pre).toBeTruthy();
          const res = await t
            .post('/login')
            .set(SAME_ORIGIN)
            .set('Cookie', cookie(pre as string))
            .type(FORM)
            .send({ username: 'alice@example.com', password: 'alicepwd-long-enough' });
          expect(res.status).toBe(303);
          expect(res.headers['location']).toBe('/dashboard?saved=1');
          const sid = cookieValue(res) as string;
          expect(sid).toBeTruthy();
          expect(sid).not.toBe(pre);
          // The pre-login session was destroyed: its cookie is anonymous now.
          const old = await t.get('/dashboard').set('Accept', HTML).set('Cookie', cookie(pre as string));
          expect(old.status).toBe(303);
          expect((await t.get('/dashboard').set('Cookie', cookie(sid))).status).toBe(200);
        },
      },
      {
        name: 'after POST /logout the guarded page sends the browser to /login again',
        async run(t) {
          const res = await t.post('/login').set(SAME_ORIGIN).type(FORM).send({ username: 'alice@example.com', password: 'alicepwd-long-enough' });
          const sid = cookieValue(res) as string;
          const out = await t.post('/logout').set(SAME_ORIGIN).set('Cookie', cookie(sid));
          expect(out.status).toBe(303);
          expect(out.headers['location']).toBe('/login');
          const page = await t.get('/dashboard').set('Accept', HTML).set('Cookie', cookie(sid));
          expect(page.status).toBe(303);
          expect(page.headers['location']).toBe('/login?next=%2Fdashboard');
        },
      },
    ],
  };
}
