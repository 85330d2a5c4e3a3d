/**
 * One server configuration in its own process (the orchestrator starts it pinned to
 * core 0): `node server.js <config id>`. Talks to the orchestrator over IPC only, so
 * nothing is added to the measured request path: `ready` with the port, `cpu` with
 * `process.cpuUsage()`, `heap` with `heapUsed` after full GCs (needs `--expose-gc`),
 * `stop` to exit (which writes the `--cpu-prof` profile when profiling).
 */
import type { AddressInfo } from 'node:net';
import { setImmediate as tick } from 'node:timers/promises';
import { findConfig } from './registry.js';

type Command = { type: 'cpu'; id: number } | { type: 'heap'; id: number } | { type: 'stop' };

/** A server never outlives this, whatever happens to the orchestrator. */
const MAX_LIFETIME_MS = 30 * 60_000;

function send(message: object): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const id = process.argv[2];
  if (id === undefined || process.send === undefined) throw new Error('usage: server.js <config id>, started with an IPC channel');
  const config = findConfig(id);
  if (config.status !== 'ready') throw new Error(`${id} is not built`);
  const server = await config.create();
  server.keepAliveTimeout = 60_000;
  process.on('disconnect', () => process.exit(0));
  setTimeout(() => process.exit(3), MAX_LIFETIME_MS).unref();
  process.on('message', (m: Command) => {
    void (async () => {
      switch (m.type) {
        case 'cpu':
          return send({ type: 'cpu', id: m.id, usage: process.cpuUsage() });
        case 'heap': {
          const gc = (globalThis as { gc?: () => void }).gc;
          if (gc === undefined) return send({ type: 'heap', id: m.id, error: 'start the server with --expose-gc' });
          for (let i = 0; i < 3; i++) {
            gc();
            await tick();
          }
          const memory = process.memoryUsage();
          return send({ type: 'heap', id: m.id, heapUsed: memory.heapUsed, rss: memory.rss });
        }
        case 'stop':
          server.closeAllConnections();
          server.close();
          process.exit(0);
      }
    })();
  });
  server.listen(0, '127.0.0.1', () => send({ type: 'ready', port: (server.address() as AddressInfo).port }));
}

main().catch((error: unknown) => {
  send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  console.error(error);
  process.exit(1);
});
