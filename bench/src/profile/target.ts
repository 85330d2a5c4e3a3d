/**
 * The server side of `callgrind.ts`: one configuration (`node target.js <config id>`),
 * listening on 127.0.0.1, started under valgrind by the orchestrator. Prints
 * `{"port":…}` on stdout once listening; exits when its stdin closes (the
 * orchestrator is gone) or after 45 minutes, whichever comes first.
 */
import type { AddressInfo } from 'node:net';
import { findConfig } from '../registry.js';

// Long enough for 8,000 warm-up requests under valgrind on a machine shared by eight: at ten
// minutes an Express server died mid-run (ECONNRESET) while its orchestrator was still sending.
const MAX_LIFETIME_MS = 45 * 60_000;

async function main(): Promise<void> {
  const id = process.argv[2];
  if (id === undefined) throw new Error('usage: target.js <config id>');
  const config = findConfig(id);
  if (config.status !== 'ready') throw new Error(`${id} is not built`);
  const server = await config.create();
  // Under valgrind a request can take long: no server-side timeout may cut a keep-alive socket.
  server.keepAliveTimeout = 600_000;
  server.headersTimeout = 0;
  server.requestTimeout = 0;
  setTimeout(() => process.exit(3), MAX_LIFETIME_MS).unref();
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('close', () => process.exit(0));
  process.stdin.resume();
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
