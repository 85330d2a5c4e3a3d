// RedisTicketStore against the local Redis (the suite is a function of a client factory:
// ticket-store-suite.ts, re-run against a Redis Cluster elsewhere).
import { describe, it } from 'vitest';
import { redisGate } from '../../../test-support/services.js';
import { testClient } from './redis-helpers.js';
import { ticketStoreSuite } from './ticket-store-suite.js';

const gate = await redisGate('RedisTicketStore tests');

describe.runIf(gate === 'fail')('RedisTicketStore needs Redis', () => {
  it('Redis is reachable at 127.0.0.1:6379 (required when CI is set)', () => {
    throw new Error('Redis is not reachable at 127.0.0.1:6379');
  });
});

if (gate === 'run') {
  ticketStoreSuite('RedisTicketStore', { connect: async () => (await testClient()) as unknown as Awaited<ReturnType<Parameters<typeof ticketStoreSuite>[1]['connect']>> });
}
