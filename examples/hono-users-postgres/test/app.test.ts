import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createAdaptorServer } from '@hono/node-server';
import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthenticationFailure } from '@portcullis/core';
import type { Hasher } from '@portcullis/core/hashing';
import {
  MAX_BODY_BYTES,
  createApp,
  memoryUserStore,
  migrate,
  openUserStore,
  pbkdf2Hasher,
  pgUserStore,
  type Queryable,
  type UserStore,
} from '../src/app.js';
import { parsePbkdf2 } from '@portcullis/core/hashing';
import { freePort } from '../../../test-support/ports.js';
import { IN_CI, PG_CANDIDATES, postgresGate } from '../../../test-support/services.js';

const REALM = 'Portcullis users';
const CHALLENGE = `Basic realm="${REALM}", charset="UTF-8"`;

// Cheap parameters for tests; the server uses 600 000 iterations.
const CURRENT_ITERATIONS = 10_000;
const WEAK_ITERATIONS = 1_000;
const hasher = pbkdf2Hasher({ iterations: CURRENT_ITERATIONS });
const weakHasher = pbkdf2Hasher({ iterations: WEAK_ITERATIONS });

// ---------------------------------------------------------------------------
// PostgreSQL: reachable or not, decided once
// ---------------------------------------------------------------------------

const { url: PG_URL } = await postgresGate('hono-users-postgres PostgreSQL tests (the in-memory tests still run)');

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/** Counts hash() and verify() calls of a hasher. */
function countingHasher(inner: Hasher): { hasher: Hasher; counts: { hash: number; verify: number } } {
  const counts = { hash: 0, verify: 0 };
  return {
    counts,
    hasher: {
      id: inner.id,
      identifies: (stored) => inner.identifies(stored),
      hash: (password) => {
        counts.hash++;
        return inner.hash(password);
      },
      verify: (password, stored) => {
        counts.verify++;
        return inner.verify(password, stored);
      },
    },
  };
}

/** Wraps a pg pool and counts the SQL statements sent through it. */
function countingQueryable(inner: Queryable): { db: Queryable; count: () => number } {
  let n = 0;
  return {
    count: () => n,
    db: {
      query: (text, values) => {
        n++;
        return inner.query(text, values);
      },
    },
  };
}

/** Wraps a store and counts every call (the in-memory stand-in for "DB queries"). */
function countingStore(inner: UserStore): { store: UserStore; count: () => number } {
  let n = 0;
  return {
    count: () => n,
    store: {
      kind: inner.kind,
      findUser: (u) => (n++, inner.findUser(u)),
      createUser: (u, h) => (n++, inner.createUser(u, h)),
      updatePasswordHash: (u, h, o) => (n++, inner.updatePasswordHash(u, h, o)),
    },
  };
}

const servers: { close(cb: () => void): unknown }[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

/** Serves an app on @hono/node-server at an ephemeral port of 127.0.0.1; resolves to its URL. */
async function listen(app: { fetch: (request: Request) => Response | Promise<Response> }): Promise<string> {
  const server = createAdaptorServer({ fetch: app.fetch });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  servers.push(server);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return `http://127.0.0.1:${address.port}`;
}

function signup(url: string, body: unknown) {
  return request(url).post('/signup').set('Content-Type', 'application/json').send(JSON.stringify(body));
}

/** A username nobody else in this run uses. */
function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

function expectChallenge(res: request.Response): void {
  expect(res.status).toBe(401);
  expect(res.headers['www-authenticate']).toBe(CHALLENGE);
  expect(res.text).toBe('Unauthorized');
}

// ---------------------------------------------------------------------------
// The same behaviour over both stores
// ---------------------------------------------------------------------------

interface Fixture {
  /** The store the app uses (counted). */
  readonly store: UserStore;
  /** SQL statements (PostgreSQL) or store calls (memory) so far. */
  calls(): number;
  /** The stored hash, read around the counter. */
  storedHash(username: string): Promise<string | undefined>;
}

function behaviour(kind: 'postgres' | 'memory', open: () => Promise<Fixture>): void {
  let fx: Fixture;
  let url: string;
  const { hasher: counted, counts } = countingHasher(hasher);
  const failures: AuthenticationFailure[] = [];

  beforeAll(async () => {
    fx = await open();
    url = await listen(createApp({ store: fx.store, hasher: counted, log: (e) => failures.push(e) }));
  });

  it(`the store is ${kind}`, () => {
    expect(fx.store.kind).toBe(kind);
  });

  it('anonymous GET /me → 403 without touching the store', async () => {
    const before = fx.calls();
    const res = await request(url).get('/me');
    expect(res.status).toBe(403);
    expect(fx.calls()).toBe(before);
  });

  it('signup, then Basic login → 200 with the right name; the store holds a hash, not the password', async () => {
    const username = uniqueName('erin');
    const password = 'correct horse battery staple';
    const created = await signup(url, { username, password });
    expect(created.status).toBe(201);
    expect(created.body).toStrictEqual({ user: username });
    expect(created.headers['cache-control']).toBe('no-store');

    const me = await request(url).get('/me').auth(username, password);
    expect(me.status).toBe(200);
    expect(me.body).toStrictEqual({ user: username, scopes: ['authenticated'] });

    const stored = await fx.storedHash(username);
    expect(stored).toMatch(/^\$pbkdf2-sha256\$i=10000\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(stored).not.toContain(password);
  });

  it('wrong password → 401; unknown user → the identical 401 (and a hash runs for both)', async () => {
    const username = uniqueName('frank');
    expect((await signup(url, { username, password: 'frank-password' })).status).toBe(201);

    const v0 = counts.verify;
    const wrong = await request(url).get('/me').auth(username, 'frank-passworD');
    const v1 = counts.verify;
    const unknown = await request(url).get('/me').auth(uniqueName('nobody'), 'frank-password');
    const v2 = counts.verify;

    expectChallenge(wrong);
    expectChallenge(unknown);
    for (const header of ['www-authenticate', 'content-type', 'cache-control', 'vary', 'content-length']) {
      expect(unknown.headers[header], header).toBe(wrong.headers[header]);
    }
    expect(unknown.text).toBe(wrong.text);
    // Unknown users are verified against a dummy hash: same work as a wrong password.
    expect(v1 - v0).toBe(1);
    expect(v2 - v1).toBe(1);
    expect(failures.at(-1)).toMatchObject({ event: 'authentication_failed', code: 'invalid_credentials', path: '/me' });
    expect(JSON.stringify(failures)).not.toContain('frank-password');
  });

  it('a password with colons (and non-ASCII) works: everything after the first colon', async () => {
    const username = uniqueName('gina');
    const password = 'pa:ss:wörd:';
    expect((await signup(url, { username, password })).status).toBe(201);
    const me = await request(url).get('/me').auth(username, password);
    expect(me.status).toBe(200);
    expect(me.body.user).toBe(username);
    expectChallenge(await request(url).get('/me').auth(username, 'pa:ss'));
  });

  it('a username in NFD signs in as its NFC form (stored once, NFC)', async () => {
    const nfd = `${uniqueName('zoe')}e\u0301`;
    const nfc = nfd.normalize('NFC');
    expect((await signup(url, { username: nfd, password: 'zoe-password' })).body).toStrictEqual({ user: nfc });
    for (const name of [nfc, nfd]) {
      const me = await request(url).get('/me').auth(name, 'zoe-password');
      expect(me.body).toStrictEqual({ user: nfc, scopes: ['authenticated'] });
    }
    expect((await signup(url, { username: nfc, password: 'other-password' })).status).toBe(409);
  });

  it('a duplicate signup → 409 username_taken; the first password stays', async () => {
    const username = uniqueName('hank');
    expect((await signup(url, { username, password: 'first-password' })).status).toBe(201);
    const again = await signup(url, { username, password: 'second-password' });
    expect(again.status).toBe(409);
    expect(again.body).toStrictEqual({ error: 'username_taken' });
    expect((await request(url).get('/me').auth(username, 'first-password')).status).toBe(200);
    expectChallenge(await request(url).get('/me').auth(username, 'second-password'));
  });

  it('concurrent signups of one name: exactly one 201, the rest 409', async () => {
    const username = uniqueName('ivy');
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => signup(url, { username, password: `ivy-password-${i}` })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toStrictEqual([201, 409, 409, 409, 409]);
  });

  describe('bad signup input → 400 (422 for a password the policy refuses) with a JSON error code, never 500', () => {
    const cases: [string, () => request.Test, string, number?][] = [
      ['no Content-Type', () => request(url).post('/signup').send('{"username":"x","password":"12345678"}'), 'invalid_json'],
      ['text/plain', () => request(url).post('/signup').set('Content-Type', 'text/plain').send('{"username":"x","password":"12345678"}'), 'invalid_json'],
      ['malformed JSON', () => request(url).post('/signup').set('Content-Type', 'application/json').send('{"username":'), 'invalid_json'],
      ['a JSON array', () => signup(url, ['x', '12345678']), 'invalid_json'],
      ['JSON null', () => signup(url, null), 'invalid_json'],
      ['a JSON string', () => signup(url, 'x'), 'invalid_json'],
      ['no username', () => signup(url, { password: '12345678' }), 'invalid_username'],
      ['a numeric username', () => signup(url, { username: 42, password: '12345678' }), 'invalid_username'],
      ['an empty username', () => signup(url, { username: '', password: '12345678' }), 'invalid_username'],
      ['65 characters', () => signup(url, { username: 'u'.repeat(65), password: '12345678' }), 'invalid_username'],
      ['a space', () => signup(url, { username: 'jo jo', password: '12345678' }), 'invalid_username'],
      ['a colon (Basic cannot carry it)', () => signup(url, { username: 'jo:jo', password: '12345678' }), 'invalid_username'],
      ['a control character', () => signup(url, { username: 'jo\u0000', password: '12345678' }), 'invalid_username'],
      ['a zero-width space', () => signup(url, { username: 'jo\u200bjo', password: '12345678' }), 'invalid_username'],
      ['no password', () => signup(url, { username: 'kim' }), 'invalid_password'],
      ['a numeric password', () => signup(url, { username: 'kim', password: 12345678 }), 'invalid_password'],
      ['PWD-11 7 characters', () => signup(url, { username: 'kim', password: '1234567' }), 'password_too_short', 422],
      ['PWD-11 4 characters of 2 bytes (8 bytes)', () => signup(url, { username: 'kim', password: 'éééé' }), 'password_too_short', 422],
      ['PWD-12 1025 bytes', () => signup(url, { username: 'kim', password: 'p'.repeat(1025) }), 'password_too_long', 422],
      ['PWD-12 513 × "é" (1026 bytes, 513 characters)', () => signup(url, { username: 'kim', password: 'é'.repeat(513) }), 'password_too_long', 422],
      ['the username as the password', () => signup(url, { username: 'kimberly', password: 'Kimberly1' }), 'password_context_specific', 422],
      ['a control character in the password', () => signup(url, { username: 'kim', password: 'tab\there!' }), 'invalid_password'],
    ];
    it.each(cases)('%s', async (_label, send, code, status = 400) => {
      const before = fx.calls();
      const hashes = counts.hash;
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toStrictEqual({ error: code });
      expect(fx.calls()).toBe(before);
      expect(counts.hash).toBe(hashes);
    });

    it(`a body over ${MAX_BODY_BYTES} bytes → 413 payload_too_large, not parsed, not hashed`, async () => {
      const before = fx.calls();
      const hashes = counts.hash;
      const res = await signup(url, { username: 'kim', password: 'p'.repeat(1024 * 1024) });
      expect(res.status).toBe(413);
      expect(res.body).toStrictEqual({ error: 'payload_too_large' });
      expect(fx.calls()).toBe(before);
      expect(counts.hash).toBe(hashes);
    });
  });

  describe('the limits are inclusive and every accepted account can sign in', () => {
    it.each([
      ['a 64-character username', () => `${'u'.repeat(56)}${randomBytes(4).toString('hex')}`, 'lim-password'],
      ['a 64-character username of 4-byte characters', () => `${'😀'.repeat(56)}${randomBytes(4).toString('hex')}`, 'lim-password'],
      ['PWD-11 an 8-character password', () => uniqueName('lim'), '12345678'],
      ['PWD-11 an 8-character, 32-byte password', () => uniqueName('lim'), '😀'.repeat(8)],
      ['a 1024-byte password', () => uniqueName('lim'), 'p'.repeat(1024)],
      ['a 1024-byte password of 4-byte characters', () => uniqueName('lim'), '😀'.repeat(256)],
    ])('%s', async (_label, name, password) => {
      const username = name();
      expect([...username].length).toBeLessThanOrEqual(64);
      const created = await signup(url, { username, password });
      expect(created.status).toBe(201);
      const me = await request(url).get('/me').auth(username, password);
      expect(me.status).toBe(200);
      expect(me.body.user).toBe(username);
    });
  });

  describe('DOS-01 over-long passwords are refused before any lookup or hashing', () => {
    it('a 1 MiB password over Basic → 431 from Node\'s header limit, fast, no query, no hash', async () => {
      const before = fx.calls();
      const { hash, verify } = counts;
      const header = `Basic ${Buffer.from(`alice:${'a'.repeat(1024 * 1024)}`).toString('base64')}`;
      const res = await request(url).get('/me').set('Authorization', header);
      expect(res.status).toBe(431);
      expect(fx.calls()).toBe(before);
      expect(counts.hash).toBe(hash);
      expect(counts.verify).toBe(verify);
    });

    it('a 9 000-byte password (Authorization over the core\'s 8192 cap) → 431 from Portcullis, no query', async () => {
      const before = fx.calls();
      const header = `Basic ${Buffer.from(`alice:${'a'.repeat(9_000)}`).toString('base64')}`;
      const res = await request(url).get('/me').set('Authorization', header);
      expect(res.status).toBe(431);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['www-authenticate']).toBeUndefined();
      expect(fx.calls()).toBe(before);
    });

    it('a 2 000-byte password (over the 1024-byte cap) → the same 401 as a wrong password, no query, no hash', async () => {
      const username = uniqueName('lena');
      expect((await signup(url, { username, password: 'lena-password' })).status).toBe(201);
      const wrong = await request(url).get('/me').auth(username, 'not-lenas-password');
      const before = fx.calls();
      const { hash, verify } = counts;
      const long = await request(url).get('/me').auth(username, 'x'.repeat(2_000));
      expectChallenge(long);
      expect(long.headers['content-length']).toBe(wrong.headers['content-length']);
      expect(fx.calls()).toBe(before);
      expect(counts.hash).toBe(hash);
      expect(counts.verify).toBe(verify);
    });

    it('a username we would refuse at signup is not looked up (the dummy hash still runs)', async () => {
      const before = fx.calls();
      const verify = counts.verify;
      expectChallenge(await request(url).get('/me').auth('has space', 'whatever-password'));
      expect(fx.calls()).toBe(before);
      expect(counts.verify).toBe(verify + 1);
    });
  });

  describe('rehash on login (compare-and-set)', () => {
    it('a weaker stored hash is replaced by a current one after a successful login, not after a failed one', async () => {
      const username = uniqueName('weak');
      const password = 'weak-but-correct';
      const weak = await weakHasher.hash(password);
      expect(await fx.store.createUser(username, weak)).toBe(true);
      expect(parsePbkdf2(weak)?.iterations).toBe(WEAK_ITERATIONS);

      // A failed login changes nothing.
      expectChallenge(await request(url).get('/me').auth(username, 'wrong-password'));
      expect(await fx.storedHash(username)).toBe(weak);

      // A successful login upgrades the hash.
      const me = await request(url).get('/me').auth(username, password);
      expect(me.status).toBe(200);
      expect(me.body.user).toBe(username);
      const upgraded = await fx.storedHash(username);
      expect(upgraded).not.toBe(weak);
      expect(parsePbkdf2(upgraded!)?.iterations).toBe(CURRENT_ITERATIONS);
      expect(await hasher.verify(password, upgraded!)).toStrictEqual({ ok: true, needsRehash: false });

      // The new hash logs in and is not rewritten again.
      expect((await request(url).get('/me').auth(username, password)).status).toBe(200);
      expect(await fx.storedHash(username)).toBe(upgraded);
      // And a failed login after the upgrade leaves it alone too.
      expectChallenge(await request(url).get('/me').auth(username, 'wrong-password'));
      expect(await fx.storedHash(username)).toBe(upgraded);
    });

    it('the update is a compare-and-set: a stale old hash does not overwrite a newer one', async () => {
      const username = uniqueName('cas');
      const first = await hasher.hash('first-password');
      expect(await fx.store.createUser(username, first)).toBe(true);
      expect(await fx.store.updatePasswordHash(username, 'overwritten', 'a-stale-hash')).toBe(false);
      expect(await fx.storedHash(username)).toBe(first);
      const second = await hasher.hash('second-password');
      expect(await fx.store.updatePasswordHash(username, second, first)).toBe(true);
      expect(await fx.storedHash(username)).toBe(second);
    });
  });
}

// ---------------------------------------------------------------------------
// Suites
// ---------------------------------------------------------------------------

describe('in memory (the fallback without DATABASE_URL)', () => {
  behaviour('memory', async () => {
    const inner = memoryUserStore();
    const { store, count } = countingStore(inner);
    return {
      store,
      calls: count,
      storedHash: async (username) => (await inner.findUser(username))?.passwordHash,
    };
  });

  it('openUserStore without a databaseUrl falls back to memory, seeded with alice', async () => {
    const opened = await openUserStore({ databaseUrl: undefined, hasher, seed: { username: 'alice', password: 'alice-password' } });
    expect(opened.store.kind).toBe('memory');
    expect(opened.seeded).toBe(true);
    expect(opened.pool).toBeUndefined();
    const url = await listen(createApp({ store: opened.store, hasher }));
    const me = await request(url).get('/me').auth('alice', 'alice-password');
    expect(me.body).toStrictEqual({ user: 'alice', scopes: ['authenticated'] });
    await opened.close();
  });

  it('the user object never serialises its hash', async () => {
    const store = memoryUserStore([{ username: 'alice', passwordHash: await hasher.hash('alice-password') }]);
    const user = await store.findUser('alice');
    expect(JSON.stringify(user)).toBe('{"username":"alice"}');
    expect(Object.keys(user!)).not.toContain('passwordHash');
  });
});

it('PostgreSQL is reachable (a failure when CI is set, a visible skip otherwise)', (context) => {
  if (PG_URL === null && !IN_CI) context.skip(`PostgreSQL not reachable at ${PG_CANDIDATES.join(' or ')}`);
  expect(PG_URL, `CI is set and PostgreSQL is not reachable at ${PG_CANDIDATES.join(' or ')}`).not.toBeNull();
});

describe.skipIf(PG_URL === null && !IN_CI)('in PostgreSQL', () => {
  const table = `portcullis_example_users_t${process.pid}_${randomBytes(4).toString('hex')}`;
  let pool: pg.Pool | undefined;

  beforeAll(async () => {
    if (PG_URL === null) {
      throw new Error(`CI is set and PostgreSQL is not reachable at ${PG_CANDIDATES.join(' or ')}`);
    }
    pool = new pg.Pool({ connectionString: PG_URL, connectionTimeoutMillis: 5_000 });
    pool.on('error', () => {});
  });

  afterAll(async () => {
    if (pool === undefined) return;
    await pool.query(`DROP TABLE IF EXISTS "${table}"`);
    await pool.end();
  });

  it('migrate() creates the table and seeds alice once (idempotent)', async () => {
    const seed = { username: 'alice', passwordHash: await hasher.hash('alice-password') };
    expect(await migrate(pool!, { table, seed })).toBe(true);
    expect(await migrate(pool!, { table, seed: { ...seed, passwordHash: 'replaced?' } })).toBe(false);
    const { rows } = await pool!.query(`SELECT password_hash FROM "${table}" WHERE username = 'alice'`);
    expect(rows).toStrictEqual([{ password_hash: seed.passwordHash }]);
  });

  it('the table name is checked before it reaches SQL', () => {
    expect(() => pgUserStore(pool!, { table: 'users; DROP TABLE x' })).toThrow(/invalid table name/);
    expect(() => pgUserStore(pool!, { table: 'Users' })).toThrow(/invalid table name/);
  });

  it('alice (seeded by migrate) signs in', async () => {
    await migrate(pool!, { table, seed: { username: 'alice', passwordHash: await hasher.hash('alice-password') } });
    const url = await listen(createApp({ store: pgUserStore(pool!, { table }), hasher }));
    const me = await request(url).get('/me').auth('alice', 'alice-password');
    expect(me.status).toBe(200);
    expect(me.body).toStrictEqual({ user: 'alice', scopes: ['authenticated'] });
  });

  describe('behaviour', () => {
    behaviour('postgres', async () => {
      await migrate(pool!, { table });
      const { db, count } = countingQueryable(pool!);
      return {
        store: pgUserStore(db, { table }),
        calls: count,
        storedHash: async (username) => {
          const { rows } = await pool!.query<{ password_hash: string }>(
            `SELECT password_hash FROM "${table}" WHERE username = $1`,
            [username],
          );
          return rows[0]?.password_hash;
        },
      };
    });

    it('usernames are parameters, not SQL: a quote in the name is just a character', async () => {
      const url = await listen(createApp({ store: pgUserStore(pool!, { table }), hasher }));
      const username = `o'hara-${randomBytes(3).toString('hex')}`;
      expect((await signup(url, { username, password: 'irish-password' })).status).toBe(201);
      expect((await request(url).get('/me').auth(username, 'irish-password')).body.user).toBe(username);
      expectChallenge(await request(url).get('/me').auth(`x' OR '1'='1`, 'irish-password'));
    });
  });
});

describe('BAS-19 the database is unavailable (pool pointed at 127.0.0.1:1)', () => {
  let pool: pg.Pool;
  let url: string;
  const failures: AuthenticationFailure[] = [];

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/test', connectionTimeoutMillis: 2_000 });
    pool.on('error', () => {});
    url = await listen(createApp({ store: pgUserStore(pool), hasher, log: (e) => failures.push(e) }));
  });

  afterAll(async () => {
    await pool.end();
  });

  /** Nothing of the driver's error reaches the client. */
  function expectGeneric(res: request.Response): void {
    for (const leak of ['ECONNREFUSED', 'Error', 'error:', '127.0.0.1', ':1', 'connect', ' at ', 'pg', 'postgres']) {
      expect(res.text).not.toContain(leak);
    }
  }

  it('Basic login → 503 with a generic body, no challenge, no stack', async () => {
    const res = await request(url).get('/me').auth('alice', 'alice-password');
    expect(res.status).toBe(503);
    expect(res.text).toBe('Service Unavailable');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['www-authenticate']).toBeUndefined();
    expectGeneric(res);
    expect(failures.at(-1)).toMatchObject({ event: 'authentication_failed', code: 'backend_unavailable' });
  });

  it('a JSON client gets {"error":"backend_unavailable"}', async () => {
    const res = await request(url).get('/me').auth('alice', 'alice-password').set('Accept', 'application/json');
    expect(res.status).toBe(503);
    expect(res.body).toStrictEqual({ error: 'backend_unavailable' });
    expectGeneric(res);
  });

  it('POST /signup → 503 {"error":"service_unavailable"}', async () => {
    const res = await signup(url, { username: 'newbie', password: 'newbie-password' });
    expect(res.status).toBe(503);
    expect(res.body).toStrictEqual({ error: 'service_unavailable' });
    expectGeneric(res);
  });

  it('anonymous requests do not need the database: /me → 403', async () => {
    expect((await request(url).get('/me')).status).toBe(403);
  });

  it('openUserStore against it rejects (the server exits instead of serving)', async () => {
    await expect(
      openUserStore({
        databaseUrl: 'postgres://postgres@127.0.0.1:1/test',
        hasher,
        seed: { username: 'alice', password: 'alice-password' },
        pool: { connectionTimeoutMillis: 2_000 },
      }),
    ).rejects.toThrow();
  });
});

// ---------------------------------------------------------------------------
// The real server, without DATABASE_URL: node examples/hono-users-postgres/dist/server.js
// ---------------------------------------------------------------------------

const SERVER = fileURLToPath(new URL('../dist/server.js', import.meta.url));

describe('the real server without DATABASE_URL (in-memory fallback)', () => {
  let child: ChildProcess | undefined;

  afterAll(async () => {
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child!.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child!.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  });

  it('prints alice\'s generated password; login, signup and /me work', async () => {
    if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: build first (npx tsc -b examples/hono-users-postgres)`);
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1' };
    delete env.DATABASE_URL;
    delete env.PORTCULLIS_ALICE_PASSWORD;
    child = spawn(process.execPath, [SERVER], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => (stderr += chunk));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner\n${stdout}\n${stderr}`)), 15_000);
      child!.stdout!.on('data', (chunk: string) => {
        stdout += chunk;
        if (/\/signup$/m.test(stdout)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child!.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server exited (${code})\n${stdout}\n${stderr}`));
      });
    });
    const url = `http://127.0.0.1:${port}`;
    expect(stdout).toContain('users in memory');
    expect(stdout).toContain('DATABASE_URL is not set');
    const password = /^ {2}password: (\S+)$/m.exec(stdout)?.[1];
    expect(password, stdout).toBeDefined();

    expect((await request(url).get('/me').auth('alice', password!)).body).toStrictEqual({ user: 'alice', scopes: ['authenticated'] });
    expectChallenge(await request(url).get('/me').auth('alice', `${password}x`));
    expect((await signup(url, { username: 'carol', password: 'correct horse' })).status).toBe(201);
    expect((await request(url).get('/me').auth('carol', 'correct horse')).body.user).toBe('carol');
    // The failed login was logged on stderr, without the password.
    expect(stderr).toContain('"code":"invalid_credentials"');
    expect(stderr).not.toContain(`${password}x`);
  });
});
