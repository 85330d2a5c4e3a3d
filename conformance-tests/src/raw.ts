import { connect } from 'node:net';

/** A response read off a raw socket, headers kept as sent. */
export interface RawResponse {
  /** The status code. */
  readonly status: number;
  /** `[name, value]` in order, names in lower case; repeated fields stay separate. */
  readonly headers: readonly (readonly [string, string])[];
  /** The body, one character per byte. */
  readonly body: string;
  /** The first value of a header (any case), or `undefined`. */
  header(name: string): string | undefined;
  /** The whole response as received, one character per byte (status line, header lines as sent, body). */
  readonly text: string;
}

/**
 * Every value of a header in a raw response, one per field line as sent: how a case
 * tells one comma-joined `WWW-Authenticate` from repeated lines.
 *
 * @example
 * ```ts
 * expect(headerLines(res, 'www-authenticate')).toEqual(['Token, Basic realm="api", charset="UTF-8"']);
 * ```
 */
export function headerLines(response: RawResponse, name: string): string[] {
  const lower = name.toLowerCase();
  return response.headers.filter(([n]) => n === lower).map(([, v]) => v);
}

/**
 * Sends a request byte for byte (for duplicate headers, TABs and oversized values,
 * which `fetch` and supertest normalise away) and reads the whole response: up to
 * the end its framing gives (Content-Length, the last chunk; the head alone for
 * HEAD, 101, 204 and 304), or until the server closes when it gives none. It does
 * not wait for the close a `Connection: close` asks for: not every server does it
 * at once (workerd keeps the connection until it has been idle for 5 s).
 */
export function rawRequest(port: number, head: readonly string[], timeoutMs = 5000, { localAddress }: { readonly localAddress?: string } = {}): Promise<RawResponse> {
  const isHead = /^HEAD /.test(head[0] ?? '');
  return new Promise((resolve, reject) => {
    // `localAddress`: another loopback address of this host (127.0.0.2), for a peer the app does not trust.
    const socket = connect({ port, host: '127.0.0.1', ...(localAddress === undefined ? {} : { localAddress }) });
    // One character per byte: the framing is counted in bytes.
    socket.setEncoding('latin1');
    let text = '';
    let done = false;
    const finish = (error?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (error !== undefined) return reject(error);
      try {
        resolve(parse(text));
      } catch (e) {
        reject(e);
      }
    };
    const timer = setTimeout(() => finish(new Error('raw request timed out')), timeoutMs);
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (complete(text, isHead)) finish();
    });
    socket.on('error', (e) => finish(e));
    socket.on('close', () => finish());
    socket.write([...head, 'Connection: close', '', ''].join('\r\n'));
  });
}

/**
 * The head of a websocket upgrade request for {@link rawRequest}: `GET path`, a
 * `Host`, the handshake fields (version 13, RFC 6455's sample key), then `lines`.
 *
 * @example
 * ```ts
 * const res = await rawRequest(port, upgradeRequest('/ws', ['Authorization: Basic !!!']));
 * res.status; // 400, before any socket opens
 * ```
 */
export function upgradeRequest(path: string, lines: readonly string[] = []): string[] {
  return [
    `GET ${path} HTTP/1.1`,
    'Host: app.example',
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    ...lines,
  ];
}

/** A response's head, split off its body (still framed). */
interface Split {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
}

function split(text: string): Split | undefined {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
  const headers = lines.map((l) => {
    const i = l.indexOf(':');
    return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()] as const;
  });
  return { status, headers, body: text.slice(end + 4) };
}

const isChunked = (headers: Split['headers']): boolean => headers.some(([n, v]) => n === 'transfer-encoding' && v.includes('chunked'));

/** Whether `text` holds a whole response (RFC 9112 §6.3); without Content-Length or chunks, only the close ends it. */
function complete(text: string, isHead: boolean): boolean {
  const response = split(text);
  if (response === undefined) return false;
  const { status, headers, body } = response;
  if (isHead || status === 101 || status === 204 || status === 304) return true;
  if (isChunked(headers)) return unchunk(body).complete;
  const length = headers.find(([n]) => n === 'content-length')?.[1];
  return length !== undefined && /^\d+$/.test(length) && body.length >= Number(length);
}

function parse(text: string): RawResponse {
  const response = split(text);
  if (response === undefined) throw new Error('no complete response head');
  const { status, headers } = response;
  const body = isChunked(headers) ? unchunk(response.body).body : response.body;
  return { status, headers, body, header: (name) => headers.find(([n]) => n === name.toLowerCase())?.[1], text };
}

/** The data of a chunked body, and whether its last chunk and trailer section have arrived. */
function unchunk(chunked: string): { body: string; complete: boolean } {
  let body = '';
  let rest = chunked;
  for (;;) {
    const nl = rest.indexOf('\r\n');
    if (nl === -1) return { body, complete: false };
    const size = parseInt(rest.slice(0, nl), 16);
    if (size === 0) {
      // The last chunk, then trailer fields, then an empty line.
      const trailers = rest.slice(nl + 2);
      return { body, complete: trailers.startsWith('\r\n') || trailers.includes('\r\n\r\n') };
    }
    if (!size) return { body, complete: false };
    body += rest.slice(nl + 2, nl + 2 + size);
    if (rest.length < nl + 2 + size + 2) return { body, complete: false };
    rest = rest.slice(nl + 2 + size + 2);
  }
}
