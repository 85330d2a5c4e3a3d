// express-session parses the Cookie header itself; sessions() hands it the core's reading
// of the session cookie for that one call (see adapters/express/src/session.ts). These
// check the other half: everything after it — the routes, other middleware — sees the
// request's own Cookie header, unchanged, whether express-session called back at once
// (no session cookie) or after the store answered.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { MemorySessionStore, SimpleUser, sessionAuth } from '@portcullis/core';
import { authentication } from '@portcullis/express';
import { expressSessionStore, login, sessionErrors, sessions } from '@portcullis/express/sessions';
import { describe, expect, it } from 'vitest';
import { setCookies } from '../../../test-support/responses.js';

function app() {
  const a = express();
  a.use(sessions({ secret: 'session-cookie-test-secret-0123456789', store: expressSessionStore(new MemorySessionStore()), cookie: { secure: false } }));
  a.use(authentication({ backend: sessionAuth({ retrieveUser: (s) => (s.user_id === 'alice' ? new SimpleUser('alice') : null) }) }));
  a.post('/login', async (req, res) => {
    await login(req, new SimpleUser('alice'), { user_id: 'alice' });
    res.send('in');
  });
  a.get('/echo', (req, res) => res.json({ cookie: req.headers.cookie ?? null, has: 'cookie' in req.headers, user: req.user.displayName }));
  return a;
}

describe('Express sessions(): the routes see the Cookie header as sent', () => {
  it('with and without a session cookie, ambiguous or not', async () => {
    const server = app().listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const agent = request(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      const login = await agent.post('/login').set('Sec-Fetch-Site', 'same-origin');
      const sid = setCookies(login)[0]!;
      for (const header of [`${sid}, other=1`, `theme=dark; ${sid} ; x=%ZZ`, 'theme=dark', `${sid}`]) {
        const res = await agent.get('/echo').set('Cookie', header);
        expect(res.body).toEqual({ cookie: header, has: true, user: header.includes(sid) ? 'alice' : '' });
      }
      const none = await agent.get('/echo');
      expect(none.body).toEqual({ cookie: null, has: false, user: '' });
    } finally {
      server.close();
    }
  });
});


describe('Express sessions() behind a TLS proxy: trustProxy as proxies', () => {
  function secureApp(trustProxy: readonly string[]) {
    const a = express();
    a.use(sessions({ secret: 'session-cookie-test-secret-0123456789', store: expressSessionStore(new MemorySessionStore()), trustProxy }));
    a.use(authentication({ backend: sessionAuth({ retrieveUser: (s) => (s.user_id === 'alice' ? new SimpleUser('alice') : null) }) }));
    a.post('/login', async (req, res) => {
      await login(req, new SimpleUser('alice'), { user_id: 'alice' });
      res.send('in');
    });
    // Not a login: the app writes the session itself, and express-session alone decides whether to send the cookie.
    a.get('/visit', (req, res) => {
      (req as unknown as { session: Record<string, unknown> }).session.visits = 1;
      res.send('visited');
    });
    a.use(sessionErrors());
    return a;
  }

  async function visitOver(trustProxy: readonly string[], proto: string | undefined) {
    const server = secureApp(trustProxy).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const call = request(`http://127.0.0.1:${(server.address() as AddressInfo).port}`).get('/visit');
      return await (proto === undefined ? call : call.set('X-Forwarded-Proto', proto));
    } finally {
      server.close();
    }
  }

  async function loginOver(trustProxy: readonly string[]) {
    const server = secureApp(trustProxy).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      return await request(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
        .post('/login')
        .set('Sec-Fetch-Site', 'same-origin')
        .set('X-Forwarded-Proto', 'https');
    } finally {
      server.close();
    }
  }

  it('CK-04 X-Forwarded-Proto from a trusted peer: the Secure session is issued (express-session believes it too)', async () => {
    const res = await loginOver(['loopback']);
    expect(res.status).toBe(200);
    expect((res.headers['set-cookie'] as unknown as string[])[0]).toMatch(/; Secure(;|$)/);
  });

  it('CK-04 a session written outside login over plain HTTP: no Secure cookie unless a trusted peer says https', async () => {
    const untrusted = await visitOver(['10.0.0.0/8'], 'https');
    expect(untrusted.status).toBe(200);
    expect(setCookies(untrusted)).toEqual([]);
    expect(setCookies(await visitOver(['loopback'], 'https, http'))).toEqual([]); // the proxy's own value is the last
    expect(setCookies(await visitOver(['loopback'], undefined))).toEqual([]);
    const trusted = await visitOver(['loopback'], 'https');
    expect((trusted.headers['set-cookie'] as unknown as string[])[0]).toMatch(/^__Host-id=.*; Secure(;|$)/);
  });

  it('CK-04 X-Forwarded-Proto from a peer outside trustProxy: 403 session_insecure_transport, no cookie', async () => {
    const res = await loginOver(['10.0.0.0/8']);
    expect(res.status).toBe(403);
    expect(setCookies(res)).toEqual([]);
  });
});
