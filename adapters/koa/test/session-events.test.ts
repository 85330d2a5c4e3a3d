// session_unknown_id is for ids no record is stored under: a koa-session record that
// holds only keys the app wrote on ctx.session is a known id and logs nothing.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import request from 'supertest';
import { MemorySessionStore, sessionAuth } from '@portcullis/core';
import { authentication } from '@portcullis/koa';
import { koaSessionStore, sessions } from '@portcullis/koa/sessions';
import { describe, expect, it } from 'vitest';
import { setCookies } from '../../../test-support/responses.js';

describe('Koa sessions(): session_unknown_id is for ids no record is stored under', () => {
  it('a session that holds only keys the app wrote on ctx.session logs nothing; a forged id logs once', async () => {
    const events: string[] = [];
    const app = new Koa();
    app.use(sessions(app, { secret: 'session-events-test-secret-0123456789', store: koaSessionStore(new MemorySessionStore()), cookie: { secure: false }, log: (e) => events.push(e.event) }));
    app.use(authentication({ backend: sessionAuth({ retrieveUser: () => null }) }));
    app.use(async (ctx) => {
      const session = ctx.session as unknown as { cart?: string[] };
      if (ctx.method === 'POST') session.cart = ['apple'];
      ctx.body = session.cart ?? null;
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const agent = request(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      const put = await agent.post('/cart').set('Sec-Fetch-Site', 'same-origin');
      const sid = setCookies(put)[0]!;
      for (let i = 0; i < 3; i++) expect((await agent.get('/cart').set('Cookie', sid)).body).toEqual(['apple']);
      expect(events).toEqual([]);
      await agent.get('/cart').set('Cookie', `${sid.slice(0, -1)}${sid.endsWith('A') ? 'B' : 'A'}`);
      expect(events).toEqual(['session_unknown_id']);
    } finally {
      server.close();
    }
  });
});
