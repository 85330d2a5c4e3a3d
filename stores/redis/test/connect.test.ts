import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { isSessionError } from '@portcullis/core';
import { connectRedisSessionStore } from '../src/session-store.js';
import { startRedisServer, stopRedisServer, waitFor } from './redis-helpers.js';
import { freePort } from '../../../test-support/ports.js';
import { hasRedisServer } from '../../../test-support/services.js';
import type { ChildProcess } from 'node:child_process';

describe('connectRedisSessionStore: the first connection fails fast', () => {
  it('nothing listening: rejects within the connect timeout with session_store_unavailable, onError not called', async () => {
    const port = await freePort();
    const errors: Error[] = [];
    const started = Date.now();
    const error = await connectRedisSessionStore({ url: `redis://:pw-Zq81@127.0.0.1:${port}`, onError: (e) => errors.push(e) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isSessionError(error) && error.code).toBe('session_store_unavailable');
    expect((error as Error).cause).toMatchObject({ code: 'ECONNREFUSED' });
    expect(String((error as Error).message)).not.toContain('pw-Zq81');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(errors).toEqual([]);
  });

  it('does not keep retrying after the first connection failed (one attempt, no reconnect loop)', async () => {
    let attempts = 0;
    const server = createServer((socket) => {
      attempts++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const error = await connectRedisSessionStore({ url: `redis://127.0.0.1:${port}` }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isSessionError(error) && error.code).toBe('session_store_unavailable');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(attempts).toBe(1);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe.runIf(hasRedisServer())('connectRedisSessionStore: once connected, it reconnects', () => {
  let child: ChildProcess | undefined;
  afterAll(async () => {
    if (child) await stopRedisServer(child);
  });

  it('Redis killed and restarted: requests fail closed meanwhile, then work again', async () => {
    const port = await freePort();
    child = await startRedisServer(port);
    const errors: Error[] = [];
    const store = await connectRedisSessionStore({ url: `redis://127.0.0.1:${port}`, onError: (e) => errors.push(e) });
    try {
      await store.set('a', { n: 1 }, 60_000);
      await stopRedisServer(child);
      const error = await store.get('a').then(() => undefined, (e: unknown) => e);
      expect(isSessionError(error) && error.code).toBe('session_store_unavailable');
      child = await startRedisServer(port);
      await waitFor(async () => (await store.get('a').then(() => true, () => false)), 5000);
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });
});
