// Node's http server around a fetch handler: how the suite serves the reference
// adapter (@portcullis/fetch) on Node. Kept out of reference.ts, which runs in
// workerd too (this module uses Node's Buffer).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { requires } from '@portcullis/fetch';
import { attachWebSockets } from './node-websockets.js';
import { referenceApp } from './reference.js';
import type { AppSpec } from './spec.js';

/** What the handler gets after the request: the Node request, as @hono/node-server passes it (`env.incoming`). */
export interface NodeBindings {
  /** The Node request the fetch `Request` was made from (its socket gives the peer address). */
  readonly incoming: IncomingMessage;
}

/**
 * Serves a fetch handler on Node's http server (repeated request headers joined with
 * `, `, as on the Web), with {@link NodeBindings} after the request, where
 * `withAuth` reads the socket's peer address.
 */
export function serveFetch(handler: (request: Request, bindings: NodeBindings) => Promise<Response>): Server {
  return createServer((req, res) => {
    answer(req, handler).then(
      async (response) => {
        const out: Record<string, string | string[]> = {};
        response.headers.forEach((value, name) => {
          out[name] = value;
        });
        const cookies = response.headers.getSetCookie();
        if (cookies.length > 0) out['set-cookie'] = cookies;
        res.writeHead(response.status, out);
        res.end(Buffer.from(await response.arrayBuffer()));
      },
      () => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Internal Server Error');
      },
    );
  });
}

async function answer(req: IncomingMessage, handler: (request: Request, bindings: NodeBindings) => Promise<Response>): Promise<Response> {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  const body = hasBody ? await readAll(req) : undefined;
  let request: Request;
  try {
    // Concatenated, not resolved: a target starting with `//` is a path, not a host.
    request = new Request(new URL(`http://reference.invalid${req.url ?? '/'}`), { method: req.method, headers, body: body as BodyInit | undefined });
  } catch {
    return new Response('Bad Request', { status: 400 });
  }
  return handler(request, { incoming: req });
}

function readAll(req: IncomingMessage): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The reference adapter under test: `createApp` for the conformance runner. Node's
 * http server has no Fetch upgrade (it hands upgrades to its `upgrade` event), so
 * websocket routes are served there by `@portcullis/node`'s `upgradeHandler`, fed
 * with the adapter's own authenticator (`withAuth(...).authenticator`) and guards
 * (`requires(...).guard`): what an app of `@portcullis/fetch` on Node does.
 */
export function createReferenceServer(spec: AppSpec): Server {
  const app = referenceApp(spec);
  const server = serveFetch(app);
  attachWebSockets(server, spec, app, requires);
  return server;
}

