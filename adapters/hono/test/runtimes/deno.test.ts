// The conformance suite against Hono running INSIDE Deno (Deno.serve), over real
// HTTP: every scenario, with no exclusion. One Deno process for the file serves
// each scenario's app on its own port; the scenarios' controls run there too
// (test-support/runtimes.ts). Without deno: skipped with a warning, or failed in CI.
import { fileURLToPath } from 'node:url';
import { runConformance, scenarios } from '@portcullis/conformance';
import { afterAll, describe, expect, it } from 'vitest';
import { runtimeAdapter } from '../../../../test-support/runtimes.js';
import { denoGate } from '../../../../test-support/services.js';

const gate = denoGate('conformance: hono-deno');
const deno = runtimeAdapter({ runtime: 'deno', entry: fileURLToPath(new URL('./deno-app.ts', import.meta.url)), scenarios });
afterAll(deno.stop);

if (gate === 'run') {
  runConformance({
    name: 'hono-deno',
    supports: {
    // Deno.serve writes a refused upgrade itself (a Date field, no Connection: close),
    // so the scenario's byte-for-byte refusals cannot hold, and hono/deno's helper
    // leaves a rejected promise that ends the Deno process when a client goes away.
      websocket: false,
      sessions: true,
      decorators: true,
    },
    createApp: deno.createApp,
    scenarios: deno.scenarios,
  });

  describe('hono-deno host', () => {
    it('refuses a scenario its bundle does not have, naming it', async () => {
      const host = await deno.start();
      await expect(host.start('no-such-scenario')).rejects.toThrow('no scenario "no-such-scenario" in the deno bundle');
    });
  });
}
