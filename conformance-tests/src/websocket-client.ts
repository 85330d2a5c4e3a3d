import WebSocket from 'ws';

/** What {@link openWebSocket} found: the first message of an opened socket, or the refusal's HTTP status. */
export interface SocketOutcome {
  /** The refused upgrade's HTTP status, when the server answered without switching protocols. */
  readonly status?: number;
  /** The first message the server sent once the socket was open. */
  readonly message?: string;
}

/**
 * Opens a websocket at `url` with `headers` and says hello once open; resolves with
 * the first message the server sends, or the HTTP status of a refused upgrade, and
 * rejects after 5 s. The hello serves servers that greet only in answer to a
 * message (hono/cloudflare-workers never fires `onOpen`).
 *
 * @example
 * ```ts
 * expect(await openWebSocket(`ws://127.0.0.1:${port}/ws`, { authorization })).toEqual({ message: 'Hello, root' });
 * ```
 */
export function openWebSocket(url: string, headers: Readonly<Record<string, string>> = {}): Promise<SocketOutcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('websocket timed out'));
    }, 5000);
    ws.on('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      res.resume();
      resolve({ status: res.statusCode });
      ws.terminate();
    });
    ws.on('open', () => ws.send('hello'));
    ws.on('message', (data) => {
      clearTimeout(timer);
      resolve({ message: String(data) });
      ws.close();
    });
    ws.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
