/**
 * The Redis refresh-token store's suite, as a function of a client factory: the
 * port's cases (test-support/refresh-stores.ts) plus what Redis adds — one hash slot
 * per family, no raw token at rest, TTLs, and the refresh race through the token
 * endpoint on two connections. refresh-tokens.test.ts runs it on 127.0.0.1:6379; a
 * Redis Cluster run passes a factory of cluster-backed clients (see
 * `RedisRefreshClient`) and its own `keys` lister.
 */
import { SimpleUser, type AuthenticationFailure } from '@portcullis/core';
import { createConnection } from '@portcullis/core/adapter';
import { oauth2PasswordBearer, type RefreshTokenStore } from '@portcullis/jwt';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisRefreshTokenStore } from '../src/refresh-tokens.js';
import type { RedisCommandClient } from '../src/client.js';
import { family, hash, refreshStoreSuite } from '../../../test-support/refresh-stores.js';

/** What the suite needs: fresh clients on one Redis (or cluster), and a way to read keys back. */
export interface RedisRefreshSuiteOptions {
  /** A connected client; the suite calls it more than once (two "processes" race). */
  connect(): Promise<RedisCommandClient>;
  /** Every key (with its string/hash/set contents flattened to strings) and PTTL under `prefix`. */
  dump(prefix: string): Promise<{ key: string; values: string[]; pttl: number }[]>;
  /** Deletes every key under `prefix` (afterAll). */
  drop(prefix: string): Promise<void>;
  /** Closes what `connect` opened (afterAll). */
  close(): Promise<void>;
}

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

export function redisRefreshStoreSuite(name: string, options: RedisRefreshSuiteOptions): void {
  // One describe: the clean-up runs when these tests end (a cluster run breaks a master afterwards).
  describe(`refresh tokens on ${name}`, () => suite(name, options));
}

function suite(name: string, options: RedisRefreshSuiteOptions): void {
  const root = `portcullis:test:refresh:${crypto.randomUUID()}:`;
  let n = 0;
  const store = async (prefix = `${root}${n++}:`, maxRotated?: number) => new RedisRefreshTokenStore({ client: await options.connect(), prefix, maxRotated });

  afterAll(async () => {
    await options.drop(root);
    await options.close();
  });

  refreshStoreSuite(name, (o) => store(undefined, o?.maxRotated));

  describe(`RedisRefreshTokenStore on ${name}`, () => {
    it('is a RefreshTokenStore of @portcullis/jwt', async () => {
      const s: RefreshTokenStore = await store();
      expect(typeof s.rotate).toBe('function');
    });

    it('every key of a family carries the family id as its hash tag (one cluster slot), and the keys expire with the idle deadline', async () => {
      const prefix = `${root}${n++}:`;
      const s = await store(prefix);
      const f = family();
      await s.create(f, hash('a'), T0 + HOUR);
      await s.rotate(f.id, hash('a'), hash('b'), T0 + 1000, HOUR);
      const keys = await options.dump(prefix);
      expect(keys.map((k) => k.key).sort()).toEqual([`${prefix}{${f.id}}:f`, `${prefix}{${f.id}}:r`]);
      for (const k of keys) {
        expect(k.key.match(/\{([^}]*)\}/)?.[1]).toBe(f.id);
        expect(k.pttl).toBeGreaterThan(HOUR - 10_000);
        expect(k.pttl).toBeLessThanOrEqual(HOUR);
      }
    });

    it('RT-10 refresh replay and races on a real Redis: two concurrent refreshes with one token on two connections → exactly one 200, and the raw tokens are nowhere in Redis', async () => {
      const prefix = `${root}${n++}:`;
      const users = new Map([['alice', new SimpleUser('alice')]]);
      const backend = async () =>
        oauth2PasswordBearer<SimpleUser>({
          algorithms: ['HS256'],
          secret: new Uint8Array(32).fill(7),
          issuer: 'https://issuer.example',
          audience: 'api',
          retrieveUser: (t) => users.get(t.sub),
          clock: () => T0,
          tokenUrl: '/token',
          verifyCredentials: (u, p) => (p === 'pw' ? users.get(u) : null),
          refreshTokens: { store: await store(prefix), idleTtl: 3600, absoluteTtl: 86_400 },
        });
      // Two app processes: each its own backend and Redis connection, one shared keyspace.
      const [one, two] = [await backend(), await backend()];
      const post = (oauth2: typeof one, text: string) =>
        oauth2.tokenEndpoint.handle(createConnection({ method: 'POST', target: '/token', header: () => undefined, now: () => T0 }), {
          contentType: 'application/x-www-form-urlencoded',
          text,
        });
      const login = JSON.parse((await post(one, 'grant_type=password&username=alice&password=pw')).body) as { refresh_token: string };
      const token = login.refresh_token;
      for (let round = 0; round < 5; round++) {
        const again = JSON.parse((await post(one, 'grant_type=password&username=alice&password=pw')).body) as { refresh_token: string };
        const answers = await Promise.all([one, two].map((b) => post(b, `grant_type=refresh_token&refresh_token=${again.refresh_token}`)));
        expect(answers.map((a) => a.status).sort()).toEqual([200, 400]);
        // RFC 9700: the loser presented a rotated token; the family is revoked, the winner's new token too.
        const winner = JSON.parse((answers.find((a) => a.status === 200) as { body: string }).body) as { refresh_token: string };
        expect((await post(two, `grant_type=refresh_token&refresh_token=${winner.refresh_token}`)).status).toBe(400);
      }
      const contents = JSON.stringify(await options.dump(prefix));
      expect(contents).not.toContain(token);
      expect(contents).not.toContain(token.split('.')[1]);
    });

    it('JWT-30 revokeSubject on a real Redis: the refresh grant refuses a family created before the cut-off (revokes it, logs refresh_token_subject_revoked); a later login refreshes', async () => {
      const prefix = `${root}${n++}:`;
      const events: AuthenticationFailure[] = [];
      const users = new Map([['alice', new SimpleUser('alice')]]);
      let now = T0;
      const oauth2 = oauth2PasswordBearer<SimpleUser>({
        algorithms: ['HS256'],
        secret: new Uint8Array(32).fill(7),
        issuer: 'https://issuer.example',
        audience: 'api',
        retrieveUser: (t) => users.get(t.sub),
        clock: () => now,
        tokenUrl: '/token',
        verifyCredentials: (u, p) => (p === 'pw' ? users.get(u) : null),
        refreshTokens: { store: await store(prefix), idleTtl: 3600, absoluteTtl: 86_400, log: (e) => events.push(e) },
      });
      const post = async (text: string) =>
        oauth2.tokenEndpoint.handle(createConnection({ method: 'POST', target: '/token', header: () => undefined, now: () => now }), { contentType: 'application/x-www-form-urlencoded', text });
      const login = async () => (JSON.parse((await post('grant_type=password&username=alice&password=pw')).body) as { refresh_token: string }).refresh_token;
      const before = await login();
      now += 1000;
      // No revocation store: the access tokens cannot be cut (it throws), the families are cut first.
      await expect(oauth2.revokeSubject('alice')).rejects.toMatchObject({ code: 'revocation_not_configured' });
      now += 1000;
      const after = await login();
      expect((await post(`grant_type=refresh_token&refresh_token=${before}`)).status).toBe(400);
      expect(events).toEqual([
        { event: 'authentication_failed', code: 'invalid_credentials', method: 'POST', path: '/token', subject: 'alice', reason: 'refresh_token_subject_revoked' },
      ]);
      expect(JSON.stringify(events)).not.toContain(before);
      expect(await (await store(prefix)).family(before.split('.')[0] as string, now)).toBeUndefined();
      expect((await post(`grant_type=refresh_token&refresh_token=${after}`)).status).toBe(200);
      const cut = (await options.dump(prefix)).find((k) => k.key === `${prefix}subject:{alice}`);
      expect(cut?.values).toEqual([String(T0 + 1000)]);
      expect(cut?.pttl).toBeGreaterThan(0);
    });

    it('a corrupt family record fails closed (the endpoint answers 503), never lives forever', async () => {
      const prefix = `${root}${n++}:`;
      const client = await options.connect();
      const s = new RedisRefreshTokenStore({ client, prefix });
      const f = family();
      await s.create(f, hash('a'), T0 + HOUR);
      await client.sendCommand(['HSET', `${prefix}{${f.id}}:f`, 'exp', 'soon']);
      await expect(s.family(f.id, T0)).rejects.toThrow(/corrupt/);
    });
  });
}
