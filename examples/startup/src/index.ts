// What every example's src/server.ts shares, so that a first run that goes wrong (a busy
// port, PORT=abc, Redis not started) ends with one clear line and exit status 1, never
// with a stack trace, a hang, or a printed password for a server that is not listening.
import { isIP, type Server } from 'node:net';

/** Where a server listens: `PORT` and `HOST`, checked. */
export interface ListenAddress {
  readonly port: number;
  readonly host: string;
}

/** A service URL from the environment, checked (see {@link serviceUrl}). */
export interface ServiceUrl {
  /** The URL as given, for the client library. */
  readonly url: string;
  /** `host:port` (the scheme's default port when none is given): safe to print. */
  readonly where: string;
  /** The URL with its password replaced by `***`: safe to print. */
  readonly redacted: string;
}

/**
 * Prints `message` on stderr and exits with status 1: how an example reports a
 * startup error, without a stack trace. With `cause`, a second line gives its
 * innermost reason (`connect ECONNREFUSED 127.0.0.1:6379`).
 *
 * @example
 * ```ts
 * try {
 *   store = await openStore(url);
 * } catch (error) {
 *   exitWith('Cannot open the store (STORE_URL)', error);
 * }
 * ```
 */
export function exitWith(message: string, cause?: unknown): never {
  console.error(cause === undefined ? message : `${message}\n  ${reasonOf(cause)}`);
  process.exit(1);
}

/**
 * `PORT` and `HOST` from the environment. `PORT` is an integer from 0 to 65535
 * (0: any free port), `HOST` a host name or an IP address; unset or empty, they
 * default to `3000` and `127.0.0.1`. Anything else exits 1 naming the variable.
 *
 * @example
 * ```ts
 * const address = listenAddress();                        // { port: 3000, host: '127.0.0.1' }
 * const server = app.listen(address.port, address.host);
 * const url = await listening(server, address);
 * ```
 */
export function listenAddress(env: NodeJS.ProcessEnv = process.env): ListenAddress {
  const portText = env.PORT?.trim() ?? '';
  const port = portText === '' ? 3000 : Number(portText);
  if (portText !== '' && (!/^\d{1,5}$/.test(portText) || port > 65535)) {
    exitWith(`PORT must be an integer from 0 to 65535 (0 picks a free port), not ${quote(portText)}`);
  }
  const host = env.HOST?.trim() || '127.0.0.1';
  if (isIP(host) === 0 && !HOSTNAME.test(host)) {
    exitWith(`HOST must be a host name or an IP address (127.0.0.1, 0.0.0.0, ::1, localhost), not ${quote(host)}`);
  }
  return { port, host };
}

/**
 * Resolves with the server's URL once it is listening (with the port it really
 * got, so `PORT=0` works). A listen error (port in use, no permission, an
 * address this machine does not have) prints what to do, naming `PORT` or
 * `HOST`, and exits 1. Print credentials only after this resolves.
 *
 * @example
 * ```ts
 * const url = await listening(app.listen(address.port, address.host), address);
 * console.log(`Listening on ${url}`);
 * ```
 */
export function listening(server: Server, address: ListenAddress): Promise<string> {
  return new Promise((resolve) => {
    const url = (): string => {
      const bound = server.address();
      const port = bound !== null && typeof bound === 'object' ? bound.port : address.port;
      return `http://${hostPort(address.host, port)}`;
    };
    if (server.listening) return resolve(url());
    const onError = (error: NodeJS.ErrnoException) => exitWith(listenError(error, address));
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      resolve(url());
    });
  });
}

/**
 * Checks a service URL read from the environment before anything connects: it
 * must parse and use one of `schemes`. Otherwise exits 1 with a message naming
 * the variable, without its value (it may hold a password).
 *
 * @example
 * ```ts
 * const redis = serviceUrl('REDIS_URL', process.env.REDIS_URL || 'redis://127.0.0.1:6379', {
 *   schemes: ['redis', 'rediss'],
 *   defaultPort: 6379,
 * });
 * console.log(`Redis at ${redis.where}`); // 127.0.0.1:6379
 * ```
 */
export function serviceUrl(name: string, value: string, options: { schemes: readonly string[]; defaultPort: number }): ServiceUrl {
  const expected = options.schemes.map((scheme) => `${scheme}://`).join(' or ');
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    exitWith(`${name} is not a URL: expected ${options.schemes[0]}://[user:password@]host:port/…`);
  }
  if (!options.schemes.includes(parsed.protocol.slice(0, -1))) exitWith(`${name} must start with ${expected}`);
  const where = hostPort(parsed.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost', Number(parsed.port || options.defaultPort));
  if (parsed.password) parsed.password = '***';
  return { url: value, where, redacted: parsed.toString() };
}

/**
 * `TRUST_PROXY` as a boolean: `1`/`true` or `0`/`false` (any case), unset or empty
 * meaning false; `undefined` for anything else.
 *
 * @example
 * ```ts
 * parseTrustProxy('True'); // true
 * parseTrustProxy('yes');  // undefined
 * ```
 */
export function parseTrustProxy(value: string | undefined): boolean | undefined {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === '0' || v === 'false') return false;
  if (v === '1' || v === 'true') return true;
  return undefined;
}

/**
 * Whether to believe a TLS-terminating proxy's `X-Forwarded-Proto`: `TRUST_PROXY`
 * checked by {@link parseTrustProxy}; anything else exits 1 naming the variable.
 *
 * @example
 * ```ts
 * const app = createApp({ secure, trustProxy: trustProxyFromEnv() });
 * ```
 */
export function trustProxyFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const trust = parseTrustProxy(env.TRUST_PROXY);
  if (trust === undefined) exitWith(`TRUST_PROXY must be 1, true, 0 or false, not ${quote(env.TRUST_PROXY ?? '')}`);
  return trust;
}

/** RFC 1123 host names (and `_`, which container names use). */
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

function listenError(error: NodeJS.ErrnoException, { host, port }: ListenAddress): string {
  const where = `Cannot listen on ${hostPort(host, port)}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return `${where}: another process is using port ${port}. Stop it, or set PORT to a free port (PORT=0 picks one).`;
    case 'EACCES':
    case 'EPERM':
      return `${where}: permission denied (ports below 1024 need privileges). Set PORT to a port from 1024 to 65535.`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAFNOSUPPORT':
      return `${where}: ${host} is not an address of this machine. Set HOST to one (127.0.0.1 by default, 0.0.0.0 for every interface).`;
    default:
      return `${where} (${error.code ?? error.message}). Check PORT and HOST.`;
  }
}

function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** A value for a message: quoted, control characters escaped, cut at 40 characters. */
function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/** The innermost cause's message, on one line (an AggregateError of two refused addresses has no message, only a code). */
function reasonOf(error: unknown): string {
  let inner = error;
  while (inner instanceof Error && inner.cause !== undefined) inner = inner.cause;
  if (!(inner instanceof Error)) return String(inner);
  const code = (inner as NodeJS.ErrnoException).code;
  const text = inner.message || (typeof code === 'string' ? code : inner.name);
  return text.split('\n', 1)[0]!.slice(0, 200);
}
