// The conformance suite against Hono running INSIDE Bun (Bun.serve), over real
// HTTP: every scenario, with no exclusion. One Bun process for the file serves
// each scenario's app on its own port; the scenarios' controls run there too
// (test-support/runtimes.ts). Without bun: skipped with a warning, or failed in CI.
import { fileURLToPath } from 'node:url';
import { runConformance, scenarios } from '@portcullis/conformance';
import { afterAll, describe, expect, it } from 'vitest';
import { runtimeAdapter } from '../../../../test-support/runtimes.js';
import { bunGate } from '../../../../test-support/services.js';

const gate = bunGate('conformance: hono-bun');
const bun = runtimeAdapter({ runtime: 'bun', entry: fileURLToPath(new URL('./bun-app.ts', import.meta.url)), scenarios });
afterAll(bun.stop);

if (gate === 'run') {
  runConformance({
    name: 'hono-bun',
    supports: {
    // Bun.serve writes a refused upgrade itself (a Date field, no Connection: close),
    // so the scenario's byte-for-byte refusals cannot hold; the guard's statuses on
    // upgrades do pass (401/403/400, never opened).
      websocket: false,
      sessions: true,
      decorators: true,
    },
    createApp: bun.createApp,
    scenarios: bun.scenarios,
  });

  describe('hono-bun host', () => {
    it('refuses a scenario its bundle does not have, naming it', async () => {
      const host = await bun.start();
      await expect(host.start('no-such-scenario')).rejects.toThrow('no scenario "no-such-scenario" in the bun bundle');
    });
  });
}
