import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { createClient } from 'redis';
import { describe, it } from 'vitest';
import type { RedisCommandClient } from '../src/session-store.js';

/** True when something answers `PING` with `+PONG` on 127.0.0.1:`port`. */
export function redisAnswers(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.on('error', () => done(false));
  });
}

/**
 * The Redis test gate: on an unreachable Redis, tests FAIL when `process.env.CI`
 * is set, and are skipped with a visible warning otherwise.
 */
export function redisGate(reachable: boolean, what: string): 'run' | 'fail' | 'skip' {
  if (reachable) return 'run';
  if (process.env.CI) return 'fail';
  console.warn(`\n⚠ ${what}: Redis is not reachable at 127.0.0.1:6379 — SKIPPED (set CI=1 to make this a failure).\n`);
  return 'skip';
}

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

/** A port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** True when the `redis-server` binary can be run. */
export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
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

/**
 * The gate of tests that start their own `redis-server`: `run` when it is
 * installed; otherwise `fail` (a failing test is registered) when `CI` is set,
 * else `skip` with a visible warning.
 */
export function redisServerGate(what: string): 'run' | 'fail' | 'skip' {
  const gate = hasRedisServer() ? 'run' : process.env.CI ? 'fail' : 'skip';
  if (gate === 'skip') console.warn(`\n⚠ ${what}: redis-server is not installed — SKIPPED (set CI=1 to make this a failure).\n`);
  describe.runIf(gate === 'fail')(`${what} needs redis-server`, () => {
    it('redis-server is installed (required when CI is set)', () => {
      throw new Error('redis-server is not installed');
    });
  });
  return gate;
}
