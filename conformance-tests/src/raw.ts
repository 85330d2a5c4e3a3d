import { connect } from 'node:net';

/** A response read off a raw socket, headers kept as sent. */
export interface RawResponse {
  readonly status: number;
  /** `[name, value]` in order, names in lower case; repeated fields stay separate. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
  header(name: string): string | undefined;
}

/**
 * Sends a request byte for byte (for duplicate headers, TABs and oversized values,
 * which `fetch` and supertest normalise away) and reads the whole response.
 */
export function rawRequest(port: number, head: readonly string[], timeoutMs = 5000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('raw request timed out'));
    }, timeoutMs);
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(parse(Buffer.concat(chunks).toString('latin1')));
      } catch (e) {
        reject(e);
      }
    });
    socket.write([...head, 'Connection: close', '', ''].join('\r\n'));
  });
}

function parse(text: string): RawResponse {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) throw new Error('no complete response head');
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
  const headers = lines.map((l) => {
    const i = l.indexOf(':');
    return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()] as const;
  });
  let body = text.slice(end + 4);
  if (headers.some(([n, v]) => n === 'transfer-encoding' && v.includes('chunked'))) body = unchunk(body);
  return { status, headers, body, header: (name) => headers.find(([n]) => n === name.toLowerCase())?.[1] };
}

function unchunk(body: string): string {
  let out = '';
  let rest = body;
  for (;;) {
    const nl = rest.indexOf('\r\n');
    if (nl === -1) break;
    const size = parseInt(rest.slice(0, nl), 16);
    if (!size) break;
    out += rest.slice(nl + 2, nl + 2 + size);
    rest = rest.slice(nl + 2 + size + 2);
  }
  return out;
}
