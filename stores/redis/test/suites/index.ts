// Every Redis store's suite, by the name the package exports the store under.
// cluster.test.ts runs each of them on a Redis Cluster, and fails when an exported
// `Redis…Store` has no entry here. A store's suite that takes a client factory
// plugs in as `RedisXStore: (redis) => xStoreSuite(() => redis.client())`.
import { storeClient, type RedisCommandClient } from '../../src/client.js';
import { redisRefreshStoreSuite } from '../refresh-store-suite.js';
import { throttleStoreSuite } from '../throttle-suite.js';
import { ticketStoreSuite } from '../ticket-store-suite.js';
import { dropKeys, type RedisTarget } from '../targets.js';
import { revocationStoreSuite } from './revocation.js';
import { sessionStoreSuite } from './session-store.js';

/**
 * The target's shared client in the single-server calling convention (on a cluster each
 * command is routed by its key, through the recording client the one-slot guard reads);
 * `close` is a no-op: the target owns the connection.
 */
function suiteClient(redis: RedisTarget): RedisCommandClient & { close(): Promise<void> } {
  const client = storeClient(redis.client(), 'test suite');
  return {
    get isReady() {
      return client.isReady;
    },
    sendCommand: (args) => client.sendCommand(args),
    close: async () => {},
  };
}

/** The suite of each exported store, a function of the Redis it runs on. */
export const STORE_SUITES: Readonly<Record<string, (redis: RedisTarget) => void>> = {
  RedisSessionStore: sessionStoreSuite,
  RedisRevocationStore: revocationStoreSuite,
  RedisThrottleStore: (redis) => throttleStoreSuite(`a ${redis.name}`, async () => suiteClient(redis)),
  RedisTicketStore: (redis) => ticketStoreSuite(`RedisTicketStore on a ${redis.name}`, { connect: async () => suiteClient(redis) }),
  RedisRefreshTokenStore: (redis) =>
    redisRefreshStoreSuite(`a ${redis.name}`, {
      connect: async () => suiteClient(redis),
      async dump(prefix) {
        return Promise.all(
          (await redis.keys(`${prefix}*`)).map(async (key) => {
            const type = String(await redis.send(['TYPE', key]));
            const command = type === 'hash' ? 'HGETALL' : type === 'zset' ? 'ZRANGE' : type === 'list' ? 'LRANGE' : type === 'string' ? 'GET' : 'SMEMBERS';
            const reply: unknown = await redis.send(command === 'ZRANGE' || command === 'LRANGE' ? [command, key, '0', '-1'] : [command, key]);
            const values = Array.isArray(reply) ? reply : reply !== null && typeof reply === 'object' ? Object.entries(reply).flat() : [reply];
            return { key, values: values.map(String), pttl: Number(await redis.send(['PTTL', key])) };
          }),
        );
      },
      drop: (prefix) => dropKeys(redis, prefix),
      close: async () => {},
    }),
};
