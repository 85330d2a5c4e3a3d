// What `authentication()` leaves on Express's request (issue #17): `req.user` and `req.auth`
// as plain own properties, exactly as two assignments would leave them, although the
// middleware stores them through a temporary key that turns `req` into dictionary mode.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express, { type Request, type RequestHandler } from 'express';
import request from 'supertest';
import { SimpleUser, tokenAuth } from '@portcullis/core';
import { authentication } from '@portcullis/express';
import { describe, expect, it } from 'vitest';

const alice = new SimpleUser('alice');
const backend = tokenAuth({ verify: (token) => (token === 'good-token' ? alice : null) });

/** Runs one request through `before`, `authentication()` and `after`, and returns what the route saw. */
async function seen<T>(look: (req: Request) => T, options: { before?: RequestHandler; after?: RequestHandler; token?: string } = {}): Promise<T> {
  const app = express();
  if (options.before !== undefined) app.use(options.before);
  app.use(authentication({ backend }));
  if (options.after !== undefined) app.use(options.after);
  let result: { value: T } | undefined;
  app.get('/', (req, res) => {
    result = { value: look(req) };
    res.send('ok');
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const call = request(`http://127.0.0.1:${(server.address() as AddressInfo).port}`).get('/');
    const res = await (options.token === undefined ? call : call.set('Authorization', `Token ${options.token}`));
    expect(res.status).toBe(200);
  } finally {
    server.close();
  }
  if (result === undefined) throw new Error('the route did not run');
  return result.value;
}

const descriptor = (req: Request, name: 'user' | 'auth') => {
  const d = Object.getOwnPropertyDescriptor(req, name);
  return d === undefined ? undefined : { writable: d.writable, enumerable: d.enumerable, configurable: d.configurable, isValue: 'value' in d };
};

describe('Express: req.user and req.auth as own properties', () => {
  it('are own, enumerable, writable data properties, user before auth, for a user and for anonymous', async () => {
    for (const token of ['good-token', undefined]) {
      const { keys, user, auth, name } = await seen(
        (req) => ({ keys: Object.keys(req), user: descriptor(req, 'user'), auth: descriptor(req, 'auth'), name: req.user.isAuthenticated ? (req.user as SimpleUser).displayName : 'anonymous' }),
        { token },
      );
      const plain = { writable: true, enumerable: true, configurable: true, isValue: true };
      expect(user).toEqual(plain);
      expect(auth).toEqual(plain);
      expect(name).toBe(token === undefined ? 'anonymous' : 'alice');
      expect(keys.indexOf('auth')).toBe(keys.indexOf('user') + 1);
    }
  });

  it('leave no key of their own behind (no symbol, nothing but user and auth added)', async () => {
    const added = await seen((req) => Object.getOwnPropertySymbols(req).map(String).filter((s) => s.includes('portcullis')), { token: 'good-token' });
    expect(added).toEqual([]);
    const withAuth = await seen((req) => Reflect.ownKeys(req).length, { token: 'good-token' });
    const bare = await (async () => {
      const app = express();
      let count = 0;
      app.get('/', (req, res) => {
        count = Reflect.ownKeys(req).length;
        res.send('ok');
      });
      const server = app.listen(0, '127.0.0.1');
      await once(server, 'listening');
      await request(`http://127.0.0.1:${(server.address() as AddressInfo).port}`).get('/');
      server.close();
      return count;
    })();
    expect(withAuth).toBe(bare + 2);
  });

  it('replace a user an earlier middleware set, and the app can still overwrite and delete them', async () => {
    const before: RequestHandler = (req, _res, next) => {
      (req as { user: unknown }).user = 'earlier';
      next();
    };
    expect(await seen((req) => (req.user as SimpleUser).displayName, { before, token: 'good-token' })).toBe('alice');
    const after: RequestHandler = (req, _res, next) => {
      (req as { user: unknown }).user = 'later';
      delete (req as { auth?: unknown }).auth;
      next();
    };
    expect(await seen((req) => [req.user, 'auth' in req, Object.keys(req).includes('auth')], { after, token: 'good-token' })).toEqual(['later', false, false]);
  });

  it('a request that refuses the temporary keys (a Proxy whose deleteProperty trap refuses) answers as before (security review)', async () => {
    const inner = express.Router();
    inner.use(authentication({ backend }));
    inner.get('/', (req, res) => {
      res.json({ user: (req.user as SimpleUser).displayName, keys: Object.getOwnPropertySymbols(req).map(String) });
    });
    const app = express();
    app.use((req, res, next) => inner(new Proxy(req, { deleteProperty: () => false }), res, next));
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const good = await request(base).get('/').set('Authorization', 'Token good-token');
      expect(good.status).toBe(200);
      expect(good.body.user).toBe('alice');
      expect((good.body.keys as string[]).filter((k) => k.includes('portcullis'))).toEqual([]);
      const bad = await request(base).get('/').set('Authorization', 'Token wrong');
      expect(bad.status).toBe(401);
    } finally {
      server.close();
    }
  });

  it("leaves res's own keys as Express's alone, no symbol of its own behind (res is switched too)", async () => {
    const keysOf = async (withAuth: boolean): Promise<{ keys: string[]; symbols: string[] }> => {
      const app = express();
      if (withAuth) app.use(authentication({ backend }));
      app.get('/', (_req, res) => {
        res.json({ keys: Object.keys(res), symbols: Object.getOwnPropertySymbols(res).map(String) });
      });
      const server = app.listen(0, '127.0.0.1');
      await once(server, 'listening');
      try {
        const res = await request(`http://127.0.0.1:${(server.address() as AddressInfo).port}`).get('/').set('Authorization', 'Token good-token');
        expect(res.status).toBe(200);
        return res.body as { keys: string[]; symbols: string[] };
      } finally {
        server.close();
      }
    };
    const bare = await keysOf(false);
    const withAuth = await keysOf(true);
    expect(withAuth).toEqual(bare);
    expect(withAuth.symbols.filter((s) => s.includes('portcullis'))).toEqual([]);
  });
});
