/**
 * One server configuration in its own process (the orchestrator starts it pinned to
 * core 0): `node server.js <config id>`. Talks to the orchestrator over IPC only, so
 * nothing is added to the measured request path: `ready` with the port, `cpu` with
 * `process.cpuUsage()`, `heap` with `heapUsed` after full GCs (needs `--expose-gc`),
 * `watch` to start recording the event loop's delay and the peak RSS, `report` for
 * them, `stop` to exit (which writes the `--cpu-prof` profile when profiling).
 * `login/<variant>` is one of the login storm's apps (`login-app.ts`).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate as tick } from 'node:timers/promises';
import { LOGIN_VARIANTS, type LoginVariant } from './login.js';
import { findConfig } from './registry.js';

type Command = { type: 'cpu'; id: number } | { type: 'heap'; id: number } | { type: 'watch'; id: number } | { type: 'report'; id: number } | { type: 'stop' };

/** A server never outlives this, whatever happens to the orchestrator. */
const MAX_LIFETIME_MS = 30 * 60_000;

function send(message: object): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const id = process.argv[2];
  if (id === undefined || process.send === undefined) throw new Error('usage: server.js <config id>, started with an IPC channel');
  // Imported only here: the other servers do not load argon2 or the login apps.
  const server = id.startsWith('login/') ? await (await import('./login-app.js')).loginServer(loginVariant(id.slice(6))) : await create(id);
  server.keepAliveTimeout = 60_000;
  process.on('disconnect', () => process.exit(0));
  setTimeout(() => process.exit(3), MAX_LIFETIME_MS).unref();
  let histogram: ReturnType<typeof monitorEventLoopDelay> | undefined;
  let sampler: NodeJS.Timeout | undefined;
  let rssStart = 0;
  let rssPeak = 0;
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
        case 'watch':
          histogram = monitorEventLoopDelay({ resolution: 1 });
          histogram.enable();
          rssStart = rssPeak = process.memoryUsage.rss();
          sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 20);
          return send({ type: 'watch', id: m.id });
        case 'report': {
          clearInterval(sampler);
          histogram?.disable();
          const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
          return send({
            type: 'report',
            id: m.id,
            loopDelayP99Ms: histogram === undefined ? null : ms(histogram.percentile(99)),
            loopDelayMaxMs: histogram === undefined ? null : ms(histogram.max),
            rssStartMiB: Math.round(rssStart / 2 ** 20),
            rssPeakMiB: Math.round(Math.max(rssPeak, process.memoryUsage.rss()) / 2 ** 20),
          });
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

async function create(id: string): Promise<Server> {
  const config = findConfig(id);
  if (config.status !== 'ready') throw new Error(`${id} is not built`);
  return config.create();
}

function loginVariant(name: string): LoginVariant {
  const variant = LOGIN_VARIANTS.find((v) => v === name);
  if (variant === undefined) throw new Error(`no login variant ${name}; there are ${LOGIN_VARIANTS.join(', ')}`);
  return variant;
}

main().catch((error: unknown) => {
  send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  console.error(error);
  process.exit(1);
});
