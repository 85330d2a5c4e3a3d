import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createClient } from 'redis';
import { SimpleUser } from '@portcullis/core';
import { pbkdf2Hasher } from '@portcullis/core/hashing';
import { loginAs, type Credential } from '@portcullis/testing';
import { expressSessionLogin } from '@portcullis/testing/express';
// From the source, like @portcullis/redis's own tests (the app itself takes any SessionStore).
import type { RedisCommandClient } from '../../../stores/redis/src/client.js';
import { RedisSessionStore } from '../../../stores/redis/src/session-store.js';
import { createApp, sessionData, sessionOptions, type AppOptions } from '../src/app.js';

export const SECRET = 'express-redis-example-secret-0123456789abcdef';
export const ACCOUNT = { username: 'demo', password: 'correct horse battery staple' };

/** The example app on a Redis of its own key prefix, listening on 127.0.0.1. */
export async function startApp(options: { secure?: boolean; trustProxy?: boolean } = {}) {
  const client = createClient({ url: 'redis://127.0.0.1:6379', disableOfflineQueue: true });
  client.on('error', () => {});
  await client.connect();
  const prefix = `portcullis-example:${crypto.randomUUID()}:`;
  const store = new RedisSessionStore({ client: client as unknown as RedisCommandClient, prefix });
  const appOptions: AppOptions = {
    store,
    secret: SECRET,
    account: ACCOUNT,
    secure: options.secure ?? false,
    trustProxy: options.trustProxy ?? false,
    // A fast hasher for the tests only; the app defaults to OWASP's 600,000 iterations.
    hasher: pbkdf2Hasher({ iterations: 1_000 }),
  };
  const app = await createApp(appOptions);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The very session options createApp gives sessions(...), and what its login route stores: nothing restated.
  const sessions = expressSessionLogin<SimpleUser>({ ...sessionOptions(appOptions), data: sessionData });
  return {
    url,
    /** A session of the demo account, made through the app's own session code on Redis (no login form). */
    loginAsDemo: (): Promise<Credential> => loginAs(sessions, new SimpleUser(ACCOUNT.username)),
    store,
    client,
    prefix,
    async keys(): Promise<string[]> {
      return (await client.sendCommand(['KEYS', `${prefix}*`])) as string[];
    },
    async close(): Promise<void> {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const keys = (await client.sendCommand(['KEYS', `${prefix}*`])) as string[];
      if (keys.length > 0) await client.sendCommand(['DEL', ...keys]);
      await client.close();
    },
  };
}
