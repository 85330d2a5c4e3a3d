/**
 * `HEAD` for Hono on Bun.serve and Deno.serve. Hono answers `HEAD` itself with
 * `new Response(null, <the GET answer>)`: the body is gone, so Bun and Deno send
 * `Content-Length: 0`, which RFC 9110 §8.6 forbids (a HEAD answer's length, if
 * any, is the GET body's; the head-requests scenario checks it). Both runtimes
 * drop the body of an answer to `HEAD` themselves and keep its length, so the app
 * gets the request as `GET` and the runtime sends the answer without its body.
 * (On Node, @hono/node-server and workerd do not add the wrong length.)
 */
export function headAsGet<S>(fetch: (request: Request, server: S) => Response | Promise<Response>): (request: Request, server: S) => Response | Promise<Response> {
  // Never a HEAD carrying Upgrade: as a GET it would pass isWebSocketUpgrade, and Deno upgrades the copy.
  return (request, server) => fetch(request.method === 'HEAD' && !request.headers.has('upgrade') ? new Request(request, { method: 'GET' }) : request, server);
}
