// How the stores take a client: a single server's or a Redis Cluster's (no server needed).
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '@portcullis/core';
import { routingKey, storeClient, type RedisClusterCommandClient, type RedisCommandClient } from '../src/client.js';
import { RedisRevocationStore } from '../src/revocation.js';
import { RedisSessionStore } from '../src/session-store.js';

function fakeCluster(reply: unknown = 'OK') {
  const sent: { firstKey: string | undefined; isReadonly: boolean | undefined; args: string[] }[] = [];
  const client: RedisClusterCommandClient = {
    isReady: true,
    masters: [],
    sendCommand: async (firstKey, isReadonly, args) => {
      sent.push({ firstKey, isReadonly, args });
      return reply;
    },
  };
  return { client, sent };
}

describe('storeClient: one calling convention for a server and a cluster', () => {
  it('a client without sendCommand is a ConfigurationError that names the store and both kinds of client', () => {
    for (const bad of [undefined, null, 'redis://x', {}, { isReady: true }, { sendCommand: 'no' }]) {
      expect(() => storeClient(bad, 'RedisXStore')).toThrow(ConfigurationError);
    }
    expect(() => storeClient({}, 'RedisXStore')).toThrow('RedisXStore: client must be a connected node-redis client (createClient) or cluster (createCluster)');
    expect(() => new RedisSessionStore({ client: {} as never })).toThrow(/RedisSessionStore: client must be .* \(createCluster\)/);
    expect(() => new RedisRevocationStore({ client: {} as never })).toThrow(/RedisRevocationStore: client must be .* \(createCluster\)/);
  });

  it('a single client is passed the arguments as they are; isReady is read at each call', async () => {
    const sent: (readonly string[])[] = [];
    const single: { isReady: boolean } & RedisCommandClient = { isReady: false, sendCommand: async (args) => void sent.push(args) };
    const client = storeClient(single, 'RedisXStore');
    expect(client.cluster).toBe(false);
    expect(client.isReady).toBe(false);
    single.isReady = true;
    expect(client.isReady).toBe(true);
    await client.sendCommand(['GET', 'k']);
    expect(sent).toEqual([['GET', 'k']]);
  });

  it('a cluster client (it has masters) gets each command with its routing key, always from a master (isReadonly false)', async () => {
    const { client: cluster, sent } = fakeCluster();
    const client = storeClient(cluster, 'RedisXStore');
    expect(client.cluster).toBe(true);
    await client.sendCommand(['SET', 'k1', 'v', 'PX', '10']);
    await client.sendCommand(['EVALSHA', 'abc', '2', '{t}a', '{t}b', 'arg']);
    await client.sendCommand(['PING']);
    expect(sent).toEqual([
      { firstKey: 'k1', isReadonly: false, args: ['SET', 'k1', 'v', 'PX', '10'] },
      { firstKey: '{t}a', isReadonly: false, args: ['EVALSHA', 'abc', '2', '{t}a', '{t}b', 'arg'] },
      { firstKey: undefined, isReadonly: false, args: ['PING'] },
    ]);
  });

  it('on a cluster the revocation check is two GETs, never a cross-slot MGET; on a server one MGET', async () => {
    const { client: cluster, sent } = fakeCluster(null);
    await new RedisRevocationStore({ client: cluster, prefix: 'r:' }).status('iss', 'j', 's');
    expect(sent.map((s) => s.args)).toEqual([
      ['GET', 'r:jti:iss:j'],
      ['GET', 'r:sub:iss:s'],
    ]);
    const single: string[][] = [];
    await new RedisRevocationStore({ client: { isReady: true, sendCommand: async (args: ReadonlyArray<string>) => (single.push([...args]), [null, null]) }, prefix: 'r:' }).status('iss', 'j', 's');
    expect(single).toEqual([['MGET', 'r:jti:iss:j', 'r:sub:iss:s']]);
  });
});

describe('routingKey', () => {
  it('a command routes by its first argument, a script by its first declared key, a keyless command nowhere in particular', () => {
    expect(routingKey(['GET', 'a'])).toBe('a');
    expect(routingKey(['mget', 'a', 'b'])).toBe('a');
    expect(routingKey(['EVAL', 'return 1', '1', 'k', 'arg'])).toBe('k');
    expect(routingKey(['FCALL_RO', 'f', '2', 'x', 'y'])).toBe('x');
    expect(routingKey(['SCRIPT', 'LOAD', 'return 1'])).toBeUndefined();
  });

  it('refuses what would silently see one node only: keyspace scans, and scripts that declare no key', () => {
    for (const name of ['KEYS', 'scan', 'RANDOMKEY', 'DBSIZE', 'FLUSHDB', 'FLUSHALL']) {
      expect(() => routingKey([name, '*'])).toThrow(`${name.toUpperCase()} is not supported on a Redis Cluster: it would see the keys of one node only`);
    }
    expect(() => routingKey(['EVAL', 'return 1', '0'])).toThrow('EVAL on a Redis Cluster must declare its keys (numkeys ≥ 1, all in one slot)');
    expect(() => routingKey(['EVALSHA', 'abc', 'x'])).toThrow(/must declare its keys/);
  });
});
