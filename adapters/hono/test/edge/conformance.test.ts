// The conformance suite against Hono running INSIDE workerd (Miniflare), over
// real HTTP: adapter "hono-workerd" (HW in the security catalogue). Each scenario
// gets its own workerd process; the worker builds the app from `scenario.app()`
// (bundle.ts, worker.ts, workerd.ts).
import { runConformance, scenarios, type Scenario } from '@portcullis/conformance';
import { afterAll, describe, expect, it } from 'vitest';
import { EXCLUDED, stopAll, workerdAdapter } from './workerd.js';

const selected: readonly Scenario[] = scenarios.filter((s) => !EXCLUDED.has(s.id));
const { scenarios: wrapped, createApp } = workerdAdapter(selected);

afterAll(stopAll);

describe('hono-workerd exclusions', () => {
  it('every excluded id names a scenario of the suite (no stale exclusions)', () => {
    const ids = new Set(scenarios.map((s) => s.id));
    expect([...EXCLUDED.keys()].filter((id) => !ids.has(id))).toEqual([]);
  });
});

runConformance({
  name: 'hono-workerd',
  supports: {
    // hono/cloudflare-workers' upgradeWebSocket never fires onOpen, which the
    // `websocket` scenario needs (the server greets on open); hw.test.ts runs
    // the guard on upgrades inside workerd.
    websocket: false,
    // Hono's sessions() is Web-standard (HMAC on Web Crypto, a pluggable store):
    // the session scenarios run inside workerd on the in-memory store.
    sessions: true,
    // @Requires on the same spec app (spec-app.ts), bundled for workerd.
    decorators: true,
  },
  createApp,
  scenarios: wrapped,
});
