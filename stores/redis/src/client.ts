import { ConfigurationError } from '@portcullis/core';

/**
 * What a store needs from the client of a single Redis server: node-redis's
 * `createClient()` (v4 and later) fits. Create it with `disableOfflineQueue: true`,
 * so commands fail at once while Redis is away instead of waiting for it.
 */
export interface RedisCommandClient {
  /** True while the connection is up and commands are answered. */
  readonly isReady: boolean;
  /** Sends one Redis command (node-redis's `sendCommand`). */
  sendCommand(args: ReadonlyArray<string>): Promise<unknown>;
}

/**
 * What a store needs from a Redis Cluster client: node-redis's `createCluster()`
 * (v4 and later) fits. Create it with `defaults: { disableOfflineQueue: true }`.
 * Every command is sent to the master that owns its key (never a replica, so a
 * revocation or a logout is seen at once, whatever `useReplicas` says).
 */
export interface RedisClusterCommandClient {
  /** True while the cluster's slots are known and its nodes connected. */
  readonly isReady: boolean;
  /** Sends one Redis command to the node of `firstKey` (node-redis's cluster `sendCommand`). */
  sendCommand(firstKey: string | undefined, isReadonly: boolean | undefined, args: string[]): Promise<unknown>;
  /** The cluster's masters (node-redis's `masters`): what tells a cluster from a single client. */
  readonly masters: ReadonlyArray<unknown>;
}

/**
 * The `client` every Redis store of this package takes: a single server's client
 * or a Redis Cluster's.
 */
export type RedisStoreClient = RedisCommandClient | RedisClusterCommandClient;

/** A store's client once checked: one calling convention for a server and a cluster. */
export interface StoreClient extends RedisCommandClient {
  /** True when the client is a Redis Cluster's: multi-key commands must then stay in one slot. */
  readonly cluster: boolean;
}

/**
 * Checks a store's `client` option at construction and gives it the single-server
 * calling convention: on a cluster, each command is routed by its key
 * ({@link routingKey}). `store` names the store in the error.
 */
export function storeClient(client: unknown, store: string): StoreClient {
  const candidate = client as Partial<RedisStoreClient> | null;
  if (candidate === null || typeof candidate !== 'object' || typeof candidate.sendCommand !== 'function') {
    throw new ConfigurationError(`${store}: client must be a connected node-redis client (createClient) or cluster (createCluster)`);
  }
  if (!Array.isArray((candidate as Partial<RedisClusterCommandClient>).masters)) {
    const single = candidate as RedisCommandClient;
    return {
      cluster: false,
      get isReady() {
        return single.isReady;
      },
      sendCommand: (args) => single.sendCommand(args),
    };
  }
  const cluster = candidate as RedisClusterCommandClient;
  return {
    cluster: true,
    get isReady() {
      return cluster.isReady;
    },
    sendCommand: async (args) => cluster.sendCommand(routingKey(args), false, [...args]),
  };
}

/** Commands whose answer covers the whole keyspace: on a cluster they would see one node's keys only. */
const WHOLE_KEYSPACE = new Set(['KEYS', 'SCAN', 'RANDOMKEY', 'DBSIZE', 'FLUSHDB', 'FLUSHALL']);
/** Commands without a key: any node answers. */
const KEYLESS = new Set(['PING', 'ECHO', 'TIME', 'INFO', 'SCRIPT', 'FUNCTION', 'CLUSTER', 'COMMAND']);
/** Scripts and functions: `name script numkeys key…`. */
const SCRIPTS = new Set(['EVAL', 'EVALSHA', 'EVAL_RO', 'EVALSHA_RO', 'FCALL', 'FCALL_RO']);

/**
 * The key a cluster routes `args` by: a script's first declared key, `undefined`
 * for a keyless command, else the command's first argument. A command that scans
 * the keyspace, or a script that declares no key, is refused: on a cluster it
 * would silently see one node only. Redis itself refuses (`CROSSSLOT`) a command
 * whose keys are in different slots.
 */
export function routingKey(args: ReadonlyArray<string>): string | undefined {
  const name = (args[0] ?? '').toUpperCase();
  if (WHOLE_KEYSPACE.has(name)) {
    throw new Error(`${name} is not supported on a Redis Cluster: it would see the keys of one node only`);
  }
  if (KEYLESS.has(name)) return undefined;
  if (SCRIPTS.has(name)) {
    if (!(Number(args[2]) >= 1)) throw new Error(`${name} on a Redis Cluster must declare its keys (numkeys ≥ 1, all in one slot)`);
    return args[3];
  }
  return args[1];
}

/**
 * Sends `args`, failing at once while the client is not ready and after
 * `timeoutMs` when Redis does not answer; `failure` makes the store's error for each.
 */
export async function sendWithin(
  client: StoreClient,
  args: ReadonlyArray<string>,
  timeoutMs: number,
  failure: (reason: 'not_ready' | 'timeout') => Error,
): Promise<unknown> {
  if (!client.isReady) throw failure('not_ready');
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(failure('timeout')), timeoutMs);
  });
  try {
    return await Promise.race([client.sendCommand(args), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
