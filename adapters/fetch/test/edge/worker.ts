// The worker that runs @portcullis/fetch inside workerd: the scenario worker of
// adapters/hono/test/edge (bundle.ts, workerd.ts, scenario-worker.ts) with the
// reference spec app, which is this adapter (conformance-tests/src/reference.ts).
import { referenceApp } from '@portcullis/conformance/reference';
import { scenarioWorker } from '../../../hono/test/edge/scenario-worker.js';

/** What the app needs of workerd's `WebSocketPair` (the Workers types are not installed). */
interface WorkerSocket {
  accept(): void;
  send(text: string): void;
  close(): void;
}
const { WebSocketPair } = globalThis as unknown as { WebSocketPair: new () => { 0: WorkerSocket; 1: WorkerSocket } };

/**
 * workerd: a `WebSocketPair`, its server end accepted and answered here (what it
 * sends before the client is connected is delivered once it is), the client end
 * in the 101.
 */
function upgrade(_request: Request, greeting: string): Response {
  const { 0: client, 1: server } = new WebSocketPair();
  server.accept();
  server.send(greeting);
  server.close();
  return new Response(null, { status: 101, webSocket: client } as ResponseInit);
}

// Workers have no socket: the peer is Cloudflare's CF-Connecting-IP (Miniflare sets it from its socket).
const worker = scenarioWorker((spec) => {
  const app = referenceApp(spec, upgrade, { peerAddress: (request) => request.headers.get('cf-connecting-ip') ?? undefined });
  return (request) => app(request);
});

export default worker.app;

export const control = worker.control;

export { probe } from '../../../hono/test/edge/probe.js';
