// What the stores' suites run against: the shared Redis server, or a Redis Cluster
// of the test file's own. A suite is a function of a RedisTarget (see suites/index.ts).
import { createCluster } from 'redis';
import { afterAll, beforeAll } from 'vitest';
import type { RedisClusterCommandClient, RedisStoreClient } from '../src/client.js';
import { commands, testClient } from './redis-helpers.js';
import { keySlot, startRedisCluster, type LocalRedisCluster } from '../../../test-support/redis-cluster.js';

/** A Redis (a server or a cluster) for a store's suite; its methods work inside tests and hooks. */
export interface RedisTarget {
  /** `single server` or `cluster`: suites put it in their describe names. */
  readonly name: string;
  /** The connected client the stores under test are given (a client factory: one shared connection). */
  client(): RedisStoreClient;
  /** The test's own command, sent to the node of its key (`args[1]`). */
  send(args: string[]): Promise<unknown>;
  /** Every key matching `pattern` (`KEYS`), on every master. */
  keys(pattern: string): Promise<string[]>;
}

/** Deletes every key under `prefix` (one `DEL` per key: on a cluster the keys are in many slots). */
export async function dropKeys(redis: RedisTarget, prefix: string): Promise<void> {
  for (const key of await redis.keys(`${prefix}*`)) await redis.send(['DEL', key]);
}

/**
 * The shared Redis on 127.0.0.1:6379, connected in a `beforeAll` of the calling
 * scope (run it under the Redis gate) and closed in its `afterAll`.
 */
export function singleServer(): RedisTarget {
  let client: Awaited<ReturnType<typeof testClient>> | undefined;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(async () => {
    if (client?.isOpen) await client.close();
  });
  const connected = () => {
    if (client === undefined) throw new Error('the Redis client is not connected yet (use it in a test or a hook)');
    return client;
  };
  return {
    name: 'single server',
    client: () => commands(connected()),
    send: (args) => connected().sendCommand(args),
    keys: async (pattern) => (await connected().sendCommand(['KEYS', pattern])) as string[],
  };
}

/** A command the stores sent to the cluster, with the slots of its keys. */
export interface ClusterCall {
  readonly args: readonly string[];
  readonly slots: ReadonlySet<number>;
}

/** A {@link RedisTarget} on a cluster, which also records what the stores sent it. */
export interface ClusterTarget extends RedisTarget {
  /** Every command the stores sent through {@link RedisTarget.client}, in order. */
  readonly calls: readonly ClusterCall[];
  /** The client port of the master that owns `key`'s slot. */
  portOf(key: string): Promise<number>;
  /** The nodes, once started. */
  nodes(): LocalRedisCluster;
}

/**
 * A three-master Redis Cluster of the calling scope's own (started in its
 * `beforeAll`, under `redisClusterGate`; stopped by pid in its `afterAll`), with a
 * node-redis `createCluster` client. The client the stores get records each
 * command and the slots of its keys, for the one-slot guard.
 */
export function localCluster(): ClusterTarget {
  let nodes: LocalRedisCluster | undefined;
  let cluster: ReturnType<typeof createCluster> | undefined;
  const calls: ClusterCall[] = [];
  beforeAll(async () => {
    nodes = await startRedisCluster();
    cluster = createCluster({
      rootNodes: [...nodes.rootNodes],
      defaults: { disableOfflineQueue: true, socket: { connectTimeout: 1000, reconnectStrategy: () => 100 } },
    });
    cluster.on('error', () => {});
    await cluster.connect();
  }, 20_000);
  afterAll(async () => {
    if (cluster?.isOpen) await cluster.close();
    await nodes?.stop();
  });
  const connected = () => {
    if (cluster === undefined) throw new Error('the cluster client is not connected yet (use it in a test or a hook)');
    return cluster;
  };
  const recording: RedisClusterCommandClient = {
    get isReady() {
      return connected().isReady;
    },
    get masters() {
      return connected().masters;
    },
    sendCommand(firstKey, isReadonly, args) {
      calls.push({ args: [...args], slots: new Set(commandKeys(args).map(keySlot)) });
      return connected().sendCommand(firstKey, isReadonly, args);
    },
  };
  return {
    name: 'cluster',
    calls,
    nodes: () => {
      if (nodes === undefined) throw new Error('the cluster is not started yet (use it in a test or a hook)');
      return nodes;
    },
    portOf: async (key) => {
      const slot = keySlot(key);
      const ranges = (await connected().sendCommand(undefined, false, ['CLUSTER', 'SLOTS'])) as [number, number, [string, number]][];
      const range = ranges.find(([first, last]) => first <= slot && slot <= last);
      if (range === undefined) throw new Error(`no master owns slot ${slot}`);
      return Number(range[2][1]);
    },
    client: () => recording,
    send: (args) => connected().sendCommand(args[1], false, args),
    keys: async (pattern) => {
      const found: string[] = [];
      for (const master of connected().masters) {
        const node = await connected().nodeClient(master);
        found.push(...((await node.sendCommand(['KEYS', pattern])) as string[]));
      }
      return found;
    },
  };
}

/** Commands whose every argument after the name is a key. */
const ALL_KEYS = new Set(['MGET', 'DEL', 'UNLINK', 'EXISTS', 'TOUCH', 'WATCH', 'SINTER', 'SUNION', 'SDIFF', 'PFCOUNT']);

/** The keys of a command, as Redis Cluster checks them (scripts: their declared keys). */
export function commandKeys(args: readonly string[]): string[] {
  const name = (args[0] ?? '').toUpperCase();
  if (/^(EVAL|EVALSHA|FCALL)(_RO)?$/.test(name)) return args.slice(3, 3 + Number(args[2]));
  if (ALL_KEYS.has(name)) return args.slice(1);
  if (name === 'MSET' || name === 'MSETNX') return args.slice(1).filter((_, i) => i % 2 === 0);
  if (name === 'RENAME' || name === 'RENAMENX' || name === 'COPY' || name === 'SMOVE' || name === 'LMOVE') return args.slice(1, 3);
  return args.length > 1 ? [args[1] as string] : [];
}
