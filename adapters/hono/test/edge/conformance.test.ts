// The conformance suite against Hono running INSIDE workerd (Miniflare), over
// real HTTP: adapter "hono-workerd" (HW in the security catalogue). Each scenario
// gets its own workerd process; the worker builds the app from `scenario.app()`
// (bundle.ts, worker.ts, workerd.ts).
import { runConformance, scenarios, type Scenario } from '@portcullis/conformance';
import { afterAll, describe, expect, it } from 'vitest';
import { stopAll, workerdAdapter } from './workerd.js';

/**
 * Scenarios that cannot run when the app lives in another process: their cases
 * read or change state that the scenario module holds in the test process
 * (counters, stores, clocks, servers), which the worker's own copy of the module
 * never sees. Some would fail; the others would pass vacuously (a counter that
 * stays 0 in the test process), which is worse.
 */
const EXCLUDED: ReadonlyMap<string, string> = new Map([
  // Core scenarios.
  ['bearer-scheme', 'issues and revokes tokens in a MemoryTokenStore of the test process; counts verify() calls there (BEA-10)'],
  ['verification-cache', 'changes passwords, calls cache.invalidate() and counts verify() calls in the test process'],
  ['failure-log', 'reads the authentication log events captured in the test process'],
  ['chain-halts', 'counts calls of the backend after the failing one in the test process (hw.test.ts checks the 503 on workerd)'],
  // JWT scenarios.
  ['jwt-auth', 'moves the frozen clock of the test process (JWT-09 expiry, JWT-30 password change)'],
  ['jwt-cookie', 'counts /transfer calls and moves the frozen clock in the test process'],
  ['oauth2-password', 'moves the frozen clock of the test process to end the lockout (OAU-07)'],
  ['jwt-jwks', 'the JWKS and attacker servers, the keys and the backend are made by a setup case in the test process'],
  ['jwt-jwks-unavailable', 'the hanging JWKS server and the backend are made by a setup case in the test process; counts Basic calls there'],
  // Session scenarios (in-memory store).
  ['sessions-fixation (memory)', 'creates accounts, reads the session store and moves the clock in the test process'],
  ['sessions-timeouts (memory)', 'moves the frozen clock of the test process'],
  ['sessions-insecure-transport (memory)', 'counts store writes in the test process'],
  ['sessions-csrf (memory)', 'counts /transfer calls in the test process'],
  ['sessions-anonymous (memory)', 'counts store reads and writes in the test process'],
  ['sessions-outage (memory)', 'switches the store of the test process off and on'],
  ['sessions-users (memory)', 'deletes users, revokes roles and moves the clock in the test process'],
  ['sessions-logging (memory)', 'reads the log lines captured in the test process'],
  ['sessions-unknown-id (memory)', 'reads the session events captured in the test process'],
]);

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
