// The runner's declaration of a runtime: only a run that names one (runConformanceInRuntime,
// the workerd runs) gets the field-by-field comparison of refusals; a Node server handed over
// as a RemoteApp ({ url, close }) keeps the byte-for-byte one.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { runConformance, type RemoteApp, type Scenario } from '@portcullis/conformance';
import { basicBackend } from '../src/fixtures.js';

/** A scenario whose one case checks what the runner told the client. */
const probe = (remote: boolean): Scenario => ({
  id: 'runner-probe',
  title: `client.remote is ${remote}`,
  app: () => ({ backend: basicBackend(), routes: [] }),
  cases: [{ name: 'as declared', run: async (t) => expect(t.remote).toBe(remote) }],
});

/** A Node server, already listening, handed over as a RemoteApp. */
async function remoteNodeApp(): Promise<RemoteApp> {
  const server: Server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

runConformance({ name: 'a Node RemoteApp without runtime', supports: {}, createApp: remoteNodeApp, scenarios: [probe(false)] });
runConformance({ name: 'a run declaring runtime workerd', runtime: 'workerd', supports: {}, createApp: remoteNodeApp, scenarios: [probe(true)] });
