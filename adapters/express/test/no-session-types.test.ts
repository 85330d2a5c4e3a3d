// `@portcullis/express` alone must not bring express-session's global `req.session` type:
// sessions are opt-in through `@portcullis/express/sessions` (issue #13, item 1). Checked by
// `tsc -p adapters/express/test/tsconfig.json --noEmit` (part of `npm run typecheck`), a
// program that never imports the sessions subpath; the root tsconfig, whose program does
// import it through the session tests, leaves this file out.
import express, { type Request } from 'express';
import request from 'supertest';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { authentication, requires } from '@portcullis/express';
import { basicAuth, SimpleUser } from '@portcullis/core';

describe('@portcullis/express without its sessions subpath', () => {
  it('Request has no session, sessionID or sessionStore', async () => {
    expectTypeOf<Request>().not.toHaveProperty('session');
    expectTypeOf<Request>().not.toHaveProperty('sessionID');
    expectTypeOf<Request>().not.toHaveProperty('sessionStore');
    const app = express();
    app.use(authentication({ backend: basicAuth({ verify: (username) => new SimpleUser(username) }) }));
    app.get('/', requires('authenticated'), (req, res) => {
      // @ts-expect-error -- no express-session types in this program: req.session does not exist
      res.send(req.session === undefined ? 'no session' : 'session');
    });
    // And at run time the main entry installs nothing either.
    const res = await request(app).get('/').auth('alice', 'pw');
    expect(res.text).toBe('no session');
  });
});
