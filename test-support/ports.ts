/** Ports for tests that start real servers. One copy: a helper written twice drifts. */
import { createServer } from 'node:net';

/**
 * A port of 127.0.0.1 that was free a moment ago (nothing listens on it now).
 *
 * @example
 * ```ts
 * const port = await freePort();
 * spawn(process.execPath, [server], { env: { ...process.env, PORT: String(port) } });
 * ```
 */
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
