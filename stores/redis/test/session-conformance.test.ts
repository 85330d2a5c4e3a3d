import { afterAll, beforeAll, describe, it } from 'vitest';
import { runConformance, sessionScenariosFor, type SessionStoreFactory } from '@portcullis/conformance';
import { createReferenceServer } from '@portcullis/conformance/reference';
import { createExpressApp } from '../../../adapters/express/test/app.js';
import { createHonoApp } from '../../../adapters/hono/test/app.js';
import { createKoaApp } from '../../../adapters/koa/test/app.js';
import { RedisSessionStore } from '../src/session-store.js';
import { commands, dropPrefix, testClient } from './redis-helpers.js';
import { redisGate } from '../../../test-support/services.js';

// The session scenarios (SES, CK, CSRF rows, the Litestar example, redirect-to-login)
// on every adapter, with one Redis behind all of them.

const gate = await redisGate('session scenarios on Redis');
const prefix = `portcullis-conformance:${crypto.randomUUID()}:`;

describe.runIf(gate !== 'run')('session scenarios on Redis', () => {
  // Skipped (visibly) without CI; a failure with CI.
  it.skipIf(gate === 'skip')('Redis is reachable at 127.0.0.1:6379 (required when CI is set)', () => {
    throw new Error('Redis is not reachable at 127.0.0.1:6379');
  });
});

if (gate === 'run') {
  let client: Awaited<ReturnType<typeof testClient>> | undefined;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(async () => {
    if (client === undefined) return;
    await dropPrefix(client, prefix);
    await client.close();
  });

  let n = 0;
  const redisStores: SessionStoreFactory = {
    name: 'redis',
    create() {
      if (client === undefined) throw new Error('the Redis client is not connected');
      return new RedisSessionStore({ client: commands(client), prefix: `${prefix}${n++}:` });
    },
  };
  const scenarios = sessionScenariosFor(redisStores);

  runConformance({ name: 'express + redis', supports: { sessions: true }, createApp: createExpressApp, scenarios });
  runConformance({ name: 'koa + redis', supports: { sessions: true }, createApp: createKoaApp, scenarios });
  runConformance({ name: 'hono + redis', supports: { sessions: true }, createApp: createHonoApp, scenarios });
  runConformance({ name: 'reference + redis', supports: { sessions: true }, createApp: createReferenceServer, scenarios });
}
