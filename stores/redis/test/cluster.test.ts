// Issue #16 item 7: every Redis store works on a Redis Cluster. A three-master
// cluster of this file's own (free local ports, stopped by pid) runs every store's
// suite (suites/index.ts), then a guard checks that each command the stores sent
// kept its keys in one slot.
import { describe, expect, it } from 'vitest';
import { isSessionError } from '@portcullis/core';
import { runConformance, sessionScenariosFor } from '@portcullis/conformance';
import { createReferenceServer } from '@portcullis/conformance/reference';
import * as exported from '../src/index.js';
import { storeClient } from '../src/client.js';
import { RedisRevocationStore } from '../src/revocation.js';
import { RedisSessionStore } from '../src/session-store.js';
import { STORE_SUITES } from './suites/index.js';
import { localCluster } from './targets.js';
import { keySlot, redisClusterGate } from '../../../test-support/redis-cluster.js';

const gate = redisClusterGate('Redis stores on a Redis Cluster');

it('every exported Redis store has a suite in suites/index.ts, so it runs on the cluster', () => {
  const stores = Object.keys(exported).filter((name) => /^Redis\w*Store$/.test(name));
  expect(stores.length).toBeGreaterThan(0);
  expect(Object.keys(STORE_SUITES).sort()).toEqual(stores.sort());
});

describe.runIf(gate === 'run')('on a three-master Redis Cluster', () => {
  const cluster = localCluster();
  for (const suite of Object.values(STORE_SUITES)) suite(cluster);

  // The session scenarios (SES, CK, CSRF rows…) through a real app, with the cluster behind it;
  // not the anonymous-traffic one (1,000 requests that never reach the store).
  let n = 0;
  const scenarios = sessionScenariosFor({
    name: 'redis cluster',
    create: () => new RedisSessionStore({ client: cluster.client(), prefix: `portcullis-conformance:${n++}:` }),
  }).filter((scenario) => !scenario.id.startsWith('sessions-anonymous'));
  runConformance({ name: 'reference + redis cluster', supports: { sessions: true }, createApp: createReferenceServer, scenarios });

  describe('the one-slot guard (after every suite)', () => {
    it('every command a store sent kept its keys in one slot: multi-key commands and scripts included', () => {
      expect(cluster.calls.length).toBeGreaterThan(0);
      const crossSlot = cluster.calls.filter((call) => call.slots.size > 1).map((call) => call.args.join(' '));
      expect(crossSlot).toEqual([]);
    });

    it('the stores did not pile every key into one slot: they spread over the masters', () => {
      const slots = new Set(cluster.calls.flatMap((call) => [...call.slots]));
      expect(slots.size).toBeGreaterThan(10);
    });

    it('why the guard computes slots itself: node-redis splits a multi-key command across slots (not atomic); Redis refuses a script across slots', async () => {
      const [a, b] = ['portcullis-guard:a', 'portcullis-guard:b'];
      expect(keySlot(a)).not.toBe(keySlot(b));
      // node-redis 6 answers a cross-slot MGET by sending one per slot: no CROSSSLOT error to fail a suite.
      expect(await cluster.send(['MGET', a, b])).toEqual([null, null]);
      // A script is never split: Redis refuses declared keys of two slots, and an undeclared key.
      await expect(cluster.send(['EVAL', "return redis.call('MGET', KEYS[1], KEYS[2])", '2', a, b])).rejects.toThrow(/CROSSSLOT/);
      await expect(cluster.send(['EVAL', "redis.call('GET', KEYS[1]); return redis.call('GET', ARGV[1])", '1', a, b])).rejects.toThrow();
      expect(await cluster.send(['EVAL', "return redis.call('MGET', KEYS[1], KEYS[2])", '2', `{x}${a}`, `{x}${b}`])).toEqual([null, null]);
    });

    it('a command that scans the keyspace, or a script that declares no key, is refused with a clear error', async () => {
      const client = storeClient(cluster.client(), 'RedisTestStore');
      expect(client.cluster).toBe(true);
      await expect(client.sendCommand(['SCAN', '0'])).rejects.toThrow('SCAN is not supported on a Redis Cluster: it would see the keys of one node only');
      await expect(client.sendCommand(['KEYS', '*'])).rejects.toThrow(/not supported on a Redis Cluster/);
      await expect(client.sendCommand(['EVAL', 'return 1', '0'])).rejects.toThrow(/must declare its keys/);
      expect(await client.sendCommand(['PING'])).toBe('PONG');
    });
  });

  describe('SES-14 when a master dies (last: it breaks the cluster)', () => {
    it('its keys fail closed — sessions session_store_unavailable, revocation rejects — never "not found"; other masters still answer', async () => {
      const sessions = new RedisSessionStore({ client: cluster.client(), prefix: 'outage:s:', timeoutMs: 500 });
      const revocation = new RedisRevocationStore({ client: cluster.client(), prefix: 'outage:r:', timeoutMs: 500 });
      const victim = cluster.nodes().ports[0] as number;
      const onVictim = async (key: (id: string) => string, wanted: boolean) => {
        for (;;) {
          const id = crypto.randomUUID();
          if (((await cluster.portOf(key(id))) === victim) === wanted) return id;
        }
      };
      const lost = await onVictim((id) => sessions.key(id), true);
      const kept = await onVictim((id) => sessions.key(id), false);
      const jti = await onVictim((id) => `outage:r:jti:iss:${id}`, true);
      await sessions.set(lost, { a: 1 }, 60_000);
      await sessions.set(kept, { a: 2 }, 60_000);
      await revocation.revoke('iss', jti, 60_000);

      await cluster.nodes().stopNode(victim);
      const started = Date.now();
      const error = await sessions.get(lost).then(() => undefined, (e: unknown) => e);
      expect(isSessionError(error) && error.code).toBe('session_store_unavailable');
      await expect(revocation.status('iss', jti, 'alice')).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(2000);
      expect(await sessions.get(kept)).toEqual({ a: 2 });
    });
  });
});
