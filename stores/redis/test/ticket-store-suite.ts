/**
 * The test suite of `RedisTicketStore` as a function of a client factory, so the same
 * cases run against a single Redis (ticket-store.test.ts) and a Redis Cluster (a
 * cluster client's `sendCommand` routed by key: every command here touches one key,
 * whose hash tag keeps it in one slot).
 */
import { createHash, randomUUID } from 'node:crypto';
import { AuthCredentials, hashToken, webSocketTickets, SimpleUser, ConfigurationError, type TicketRecord } from '@portcullis/core';
import { createConnection } from '@portcullis/core/adapter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisTicketStore } from '../src/tickets.js';
import type { RedisCommandClient as RedisClientLike } from '../src/client.js';

/** What the suite needs: a connected client and how to close it, and a way to read keys back. */
export interface TicketStoreSuiteOptions {
  /** Connects a client (node-redis `createClient` or `createCluster`, fail-fast). */
  connect(): Promise<RedisClientLike & { close(): Promise<unknown> }>;
}

const record = (identity = 'alice'): TicketRecord => ({ identity, via: 'session', origin: 'c2VhbGVk', scopes: ['authenticated'] });

/**
 * Registers the suite under `name`.
 *
 * @example
 * ```ts
 * ticketStoreSuite('RedisTicketStore on a cluster', { connect: () => clusterClient() });
 * ```
 */
export function ticketStoreSuite(name: string, options: TicketStoreSuiteOptions): void {
  describe(name, () => {
    let client: RedisClientLike & { close(): Promise<unknown> };
    const prefix = `portcullis:test:${randomUUID()}:ticket:`;
    const keys: string[] = [];
    let store: RedisTicketStore;

    beforeAll(async () => {
      client = await options.connect();
      store = new RedisTicketStore({ client, prefix });
    });
    afterAll(async () => {
      for (const key of keys) await client.sendCommand(['DEL', key]).catch(() => undefined);
      await client?.close();
    });
    const hash = () => {
      const h = randomUUID();
      keys.push(`${prefix}{${h}}`);
      return h;
    };

    it('one user cannot flood the store: beyond perIdentity pending tickets issue() resolves false; a redeemed ticket frees a place; others are unaffected', async () => {
      const capped = new RedisTicketStore({ client, prefix, perIdentity: 2 });
      const who = `flood-${randomUUID()}`;
      keys.push(`${prefix}pending:{${createHash('sha256').update(who).digest('base64url')}}`);
      const [a, b, c] = [hash(), hash(), hash()];
      expect(await capped.issue(a, record(who), 10_000)).toBe(true);
      expect(await capped.issue(b, record(who), 10_000)).toBe(true);
      expect(await capped.issue(c, record(who), 10_000)).toBe(false);
      expect(await capped.take(c)).toBeUndefined();
      const other = `other-${randomUUID()}`;
      keys.push(`${prefix}pending:{${createHash('sha256').update(other).digest('base64url')}}`);
      expect(await capped.issue(hash(), record(other), 10_000)).toBe(true);
      expect(await capped.take(a)).toEqual(record(who));
      expect(await capped.issue(c, record(who), 10_000)).toBe(true);
      expect(() => new RedisTicketStore({ client, prefix, perIdentity: 0 })).toThrow(ConfigurationError);
    });

    it('tickets abandoned unredeemed give their places back when they expire, however often the user retries meanwhile', async () => {
      const capped = new RedisTicketStore({ client, prefix, perIdentity: 2 });
      const who = `abandon-${randomUUID()}`;
      keys.push(`${prefix}pending:{${createHash('sha256').update(who).digest('base64url')}}`);
      expect(await capped.issue(hash(), record(who), 300)).toBe(true);
      expect(await capped.issue(hash(), record(who), 300)).toBe(true);
      for (let i = 0; i < 2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(await capped.issue(hash(), record(who), 300)).toBe(false);
      }
      await new Promise((resolve) => setTimeout(resolve, 180));
      // Both tickets expired at 300 ms: the refused retries in between did not extend anything.
      expect(await capped.issue(hash(), record(who), 300)).toBe(true);
    });

    it('take returns the record once, then undefined; an unknown hash is undefined', async () => {
      const h = hash();
      await store.issue(h, record(), 10_000);
      expect(await store.take(h)).toEqual(record());
      expect(await store.take(h)).toBeUndefined();
      expect(await store.take(hash())).toBeUndefined();
    });

    it('a record expires after its ttl; the key carries a hash tag and a millisecond TTL', async () => {
      const h = hash();
      await store.issue(h, record(), 150);
      const ttl = Number(await client.sendCommand(['PTTL', `${prefix}{${h}}`]));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(150);
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await store.take(h)).toBeUndefined();
    });

    it('concurrent takes of one ticket: exactly one gets the record (GETDEL is atomic)', async () => {
      const h = hash();
      await store.issue(h, record(), 10_000);
      const other = new RedisTicketStore({ client, prefix });
      const results = await Promise.all([store.take(h), other.take(h), store.take(h), other.take(h)]);
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    });

    it('stores the hash and the sealed record only: no ticket, no credential in Redis', async () => {
      const tickets = webSocketTickets({ store });
      const connection = createConnection({ method: 'POST', target: '/ws-ticket', header: (n) => (n === 'cookie' ? 'id=SESSION-SECRET' : undefined), authorization: ['Bearer TOKEN-SECRET'] });
      const { ticket } = await tickets.issue(connection, { user: new SimpleUser('alice'), auth: new AuthCredentials(['authenticated'], { via: 'session' }) });
      // The key is computed, not listed (KEYS would see one node of a cluster).
      const key = `${prefix}{${await hashToken(ticket)}}`;
      keys.push(key);
      const value = await client.sendCommand(['GET', key]);
      expect(JSON.parse(String(value))).toMatchObject({ identity: 'alice', via: 'session' });
      const dump = JSON.stringify([key, value]);
      expect(dump).not.toContain(ticket);
      expect(dump).not.toContain('SESSION-SECRET');
      expect(dump).not.toContain('TOKEN-SECRET');
    });

    it('a corrupt record fails closed (rejects), never reads as a ticket', async () => {
      const h = hash();
      await client.sendCommand(['SET', `${prefix}{${h}}`, '{"identity":1}']);
      await expect(store.take(h)).rejects.toThrow();
    });

    it('checks its options at construction', () => {
      expect(() => new RedisTicketStore({ client: {} as RedisClientLike })).toThrow(ConfigurationError);
      expect(() => new RedisTicketStore({ client, prefix: 'a {b}' })).toThrow(ConfigurationError);
      expect(() => new RedisTicketStore({ client, timeoutMs: 0 })).toThrow(ConfigurationError);
    });

    it('a client that is not ready rejects at once (fail closed)', async () => {
      const down = new RedisTicketStore({ client: { isReady: false, sendCommand: () => new Promise(() => undefined) } });
      await expect(down.take('x')).rejects.toThrow(/not connected/);
      const slow = new RedisTicketStore({ client: { isReady: true, sendCommand: () => new Promise(() => undefined) }, timeoutMs: 50 });
      await expect(slow.issue('x', record(), 1000)).rejects.toThrow(/in time/);
    });
  });
}
