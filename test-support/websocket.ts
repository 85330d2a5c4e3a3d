/** A websocket client for tests: one message out, the first frame back. One copy: a helper written twice drifts. */
import WebSocket from 'ws';

/** The first frame a socket received (parsed JSON), or how its upgrade was refused. */
export type FirstFrame = { readonly frame: unknown } | { readonly status: number; readonly challenge: string | undefined };

/**
 * Opens a websocket to `url` with `headers` and, once open, sends `message` as JSON;
 * resolves with the first frame received, or with the status and `WWW-Authenticate`
 * of a refused upgrade. Rejects on a socket error or after 5 s.
 *
 * @example
 * ```ts
 * await firstFrame('ws://127.0.0.1:3000/events', { event: 'whoami' }, { authorization });
 * // { frame: { event: 'whoami', data: 'alice' } } or { status: 403, challenge: undefined }
 * ```
 */
export function firstFrame(url: string, message: unknown, headers: Readonly<Record<string, string>> = {}): Promise<FirstFrame> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { ...headers } });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no frame from ${url} within 5 s`));
    }, 5000);
    const settle = (result: FirstFrame): void => {
      clearTimeout(timer);
      resolve(result);
    };
    ws.on('open', () => ws.send(JSON.stringify(message)));
    ws.on('message', (data) => {
      settle({ frame: JSON.parse(data.toString()) as unknown });
      ws.close();
    });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      settle({ status: res.statusCode ?? 0, challenge: res.headers['www-authenticate'] });
      ws.terminate();
    });
    ws.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
