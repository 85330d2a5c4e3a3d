import { spawn, type ChildProcess } from 'node:child_process';
import { createClient } from 'redis';
import type { RedisCommandClient } from '../src/client.js';
import { redisAnswers } from '../../../test-support/services.js';

/** A fail-fast node-redis client (no offline queue, quick reconnects). */
export async function testClient(port = 6379) {
  const client = createClient({
    url: `redis://127.0.0.1:${port}`,
    disableOfflineQueue: true,
    socket: { connectTimeout: 1000, reconnectStrategy: () => 100 },
  });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** The client as the store sees it. */
export function commands(client: Awaited<ReturnType<typeof testClient>>): RedisCommandClient {
  return client as unknown as RedisCommandClient;
}

/** Deletes every key under a prefix. */
export async function dropPrefix(client: Awaited<ReturnType<typeof testClient>>, prefix: string): Promise<void> {
  if (!client.isReady) return;
  const keys = (await client.sendCommand(['KEYS', `${prefix}*`])) as string[];
  if (keys.length > 0) await client.sendCommand(['DEL', ...keys]);
}

/** A `redis-server` of the test's own, without persistence, on `port`. */
export async function startRedisServer(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    if (await redisAnswers(port, 200)) return child;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error('redis-server did not start');
}

/** Kills a `redis-server` started by {@link startRedisServer} and waits for it to exit. */
export async function stopRedisServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}

/** Waits until `check()` is true (or throws after `timeoutMs`). */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
