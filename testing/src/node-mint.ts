import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Sends one `POST /` to `listener` on a private server on 127.0.0.1 (an ephemeral
 * port, closed at once) as if it came through a TLS proxy (`X-Forwarded-Proto:
 * https`), and resolves the `Set-Cookie` values of the answer. Express and Koa
 * session sources run the adapters' own session middleware and `login()` this way.
 */
export async function mintOnce(listener: RequestListener): Promise<{ status: number; setCookies: string[] }> {
  const server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  try {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { 'x-forwarded-proto': 'https', connection: 'close' } });
    await res.arrayBuffer();
    return { status: res.status, setCookies: res.headers.getSetCookie() };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
