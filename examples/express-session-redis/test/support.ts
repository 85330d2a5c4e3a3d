import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createClient } from 'redis';
import { pbkdf2Hasher } from '@portcullis/core/hashing';
// From the source, like @portcullis/redis's own tests (the app itself takes any SessionStore).
import { RedisSessionStore, type RedisCommandClient } from '../../../stores/redis/src/session-store.js';
import { createApp } from '../src/app.js';

export const SECRET = 'express-redis-example-secret-0123456789abcdef';
export const ACCOUNT = { username: 'demo', password: 'correct horse battery staple' };

/** True when Redis answers PING on 127.0.0.1:6379. */
export function redisReachable(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(6379, '127.0.0.1');
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 1000);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => done(chunk.toString('latin1').startsWith('+PONG')));
    socket.on('error', () => done(false));
  });
}

/** `run`, or — Redis unreachable — `fail` under CI and `skip` (with a visible warning) otherwise. */
export async function redisGate(what: string): Promise<'run' | 'fail' | 'skip'> {
  if (await redisReachable()) return 'run';
  if (process.env.CI) return 'fail';
  console.warn(`\n⚠ ${what}: Redis is not reachable at 127.0.0.1:6379 — SKIPPED (set CI=1 to make this a failure).\n`);
  return 'skip';
}

/** The example app on a Redis of its own key prefix, listening on 127.0.0.1. */
export async function startApp(options: { secure?: boolean; trustProxy?: boolean } = {}) {
  const client = createClient({ url: 'redis://127.0.0.1:6379', disableOfflineQueue: true });
  client.on('error', () => {});
  await client.connect();
  const prefix = `portcullis-example:${crypto.randomUUID()}:`;
  const store = new RedisSessionStore({ client: client as unknown as RedisCommandClient, prefix });
  const app = await createApp({
    store,
    secret: SECRET,
    account: ACCOUNT,
    secure: options.secure ?? false,
    trustProxy: options.trustProxy ?? false,
    // A fast hasher for the tests only; the app defaults to OWASP's 600,000 iterations.
    hasher: pbkdf2Hasher({ iterations: 1_000 }),
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
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

/** A port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
