import { ConfigurationError } from './errors.js';

/**
 * Which proxies in front of the app may report the client's address:
 *
 * - a list of addresses and CIDR ranges, IPv4 and IPv6 (`'10.0.0.0/8'`, `'::1'`,
 *   `'2001:db8::/32'`), and the names `'loopback'`, `'linklocal'` and
 *   `'uniquelocal'` for those ranges: a hop is believed when the hop after it (the
 *   socket's peer first) is in the list;
 * - or a hop count: the number of proxies in front of the app, whatever their
 *   addresses (`1` for one load balancer).
 *
 * Not set (the default): no forwarded header is ever read, and the client address is
 * the socket's peer.
 */
export type TrustedProxiesOption = readonly string[] | number;

/**
 * The forwarded header your proxies write (`forwardedHeader` of `authentication(...)`):
 * only that one is read, the other is ignored whatever a client puts in it. Not set:
 * whichever of the two a request carries; a request with both gets an `undefined`
 * client address (a client can always add the one the proxy does not write).
 */
export type ForwardedHeader = 'x-forwarded-for' | 'forwarded';

/**
 * {@link TrustedProxiesOption} checked and compiled by {@link compileTrustedProxies}:
 * what adapters hand to `createConnection` (`trustedProxies`).
 */
export interface TrustedProxies {
  /**
   * The client address of a request whose socket peer is `peer` (normalised; `undefined`
   * when the runtime gives none): read through `Forwarded` or `X-Forwarded-For`, right
   * to left, only across trusted hops. `undefined` too when no header is named and a
   * request carries both: unknown, never to be read as trusted.
   */
  clientOf(peer: string | undefined, header: (name: string) => string | undefined): string | undefined;
  /** Whether the socket's peer (as a runtime reports it) is a trusted proxy: what `X-Forwarded-Proto` needs. */
  trusts(peer: string | undefined): boolean;
}

/** An address as eight 16-bit groups; IPv4 as its IPv4-mapped IPv6 form (`::ffff:a.b.c.d`). */
type Groups = readonly number[];

interface Range {
  readonly groups: Groups;
  /** Prefix length in bits, over the 128-bit form. */
  readonly bits: number;
}

/** Forwarded headers longer than this are not read (DOS rules: every parser of request input is capped). */
export const MAX_FORWARDED_LENGTH = 8 * 1024;

/** At most this many hops are walked through, whatever the configuration. */
export const MAX_FORWARDED_HOPS = 32;

const NAMED: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

function parseIPv4(text: string): Groups | undefined {
  const m = IPV4.exec(text);
  if (m === null) return undefined;
  const [a, b, c, d] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
  return [0, 0, 0, 0, 0, 0xffff, (a << 8) | b, (c << 8) | d];
}

/** IPv6 text (RFC 4291 §2.2: hex groups, one `::`, an IPv4 tail), without zone or brackets. */
function parseIPv6(text: string): Groups | undefined {
  if (text.length > 45 || text.length < 2) return undefined;
  const double = text.indexOf('::');
  if (double !== -1 && text.indexOf('::', double + 1) !== -1) return undefined;
  if (double === -1) {
    const all = words(text.split(':'), true);
    return all !== undefined && all.length === 8 ? all : undefined;
  }
  const head = text.slice(0, double);
  const tail = text.slice(double + 2);
  const left = head === '' ? [] : words(head.split(':'), false);
  const right = tail === '' ? [] : words(tail.split(':'), true);
  if (left === undefined || right === undefined || left.length + right.length > 7) return undefined;
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** Hex groups as numbers; the last part may be an IPv4 address (two groups) when `last`. */
function words(list: readonly string[], last: boolean): number[] | undefined {
  const out: number[] = [];
  for (let i = 0; i < list.length; i++) {
    const part = list[i] as string;
    if (last && i === list.length - 1 && part.includes('.')) {
      const v4 = parseIPv4(part);
      if (v4 === undefined) return undefined;
      out.push(v4[6] as number, v4[7] as number);
    } else if (HEX_GROUP.test(part)) out.push(parseInt(part, 16));
    else return undefined;
  }
  return out;
}

function isMapped(g: Groups): boolean {
  return g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff;
}

/** RFC 5952 text: IPv4 for an IPv4(-mapped) address, else lower-case hex with the longest zero run as `::`. */
function format(g: Groups): string {
  if (isMapped(g)) {
    const hi = g[6] as number;
    const lo = g[7] as number;
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  let best = -1;
  let bestLength = 1; // a single zero group is never shortened (RFC 5952 §4.2.2)
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j;
  }
  const hex = g.map((n) => n.toString(16));
  if (best === -1) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLength).join(':')}`;
}

function parseAddress(text: string): Groups | undefined {
  return text.includes(':') ? parseIPv6(text) : parseIPv4(text);
}

/**
 * The canonical text of an IP address as a runtime reports a socket's peer: IPv4
 * dotted decimal; IPv6 compressed and lower-cased (RFC 5952); an IPv4-mapped IPv6
 * address (`::ffff:127.0.0.1`, what a dual-stack Node server reports) as IPv4;
 * brackets and a zone id (`fe80::1%eth0`: it names this host's interface, not the
 * client) dropped. `undefined` for anything that is not an address.
 *
 * @example
 * ```ts
 * normalizeAddress('::ffff:127.0.0.1');        // '127.0.0.1'
 * normalizeAddress('2001:0DB8:0:0:0:0:0:1');   // '2001:db8::1'
 * normalizeAddress('fe80::1%eth0');            // 'fe80::1'
 * normalizeAddress('localhost');               // undefined
 * ```
 */
export function normalizeAddress(raw: string | undefined | null): string | undefined {
  if (typeof raw !== 'string' || raw.length > 64) return undefined;
  // The common cases first (what Node reports): dotted IPv4, and IPv4-mapped on a dual-stack socket.
  if (IPV4.test(raw)) return raw;
  if (raw.startsWith('::ffff:') && IPV4.test(raw.slice(7))) return raw.slice(7);
  let text = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
  const zone = text.indexOf('%');
  if (zone !== -1 && text.includes(':')) text = text.slice(0, zone);
  const groups = parseAddress(text);
  return groups === undefined ? undefined : format(groups);
}

function parseRange(entry: string): Range {
  const slash = entry.indexOf('/');
  const text = slash === -1 ? entry : entry.slice(0, slash);
  const groups = parseAddress(text);
  const v4 = groups !== undefined && !text.includes(':');
  const max = v4 ? 32 : 128;
  const lengthText = slash === -1 ? String(max) : entry.slice(slash + 1);
  const length = /^\d{1,3}$/.test(lengthText) ? Number(lengthText) : NaN;
  if (groups === undefined || !(length <= max)) {
    throw new ConfigurationError(
      `trustedProxies: ${JSON.stringify(entry)} is not an IP address or CIDR range; write an address ('10.0.0.1', '::1'), ` +
        `a range ('10.0.0.0/8', 'fd00::/8'), or one of ${Object.keys(NAMED).map((n) => `'${n}'`).join(', ')}`,
    );
  }
  const bits = v4 ? 96 + length : length;
  const range = { groups, bits };
  if (!inRange(groups, range, true)) {
    const network = format(groups.map((g, i) => g & mask(i, bits)));
    throw new ConfigurationError(
      `trustedProxies: ${JSON.stringify(entry)} has bits set after its /${length} prefix; write '${network}/${length}' for the range, or the address alone`,
    );
  }
  return range;
}

/** The mask of group `i` for a prefix of `bits` bits. */
function mask(i: number, bits: number): number {
  const n = Math.max(0, Math.min(16, bits - 16 * i));
  return n === 0 ? 0 : (0xffff << (16 - n)) & 0xffff;
}

/**
 * `exact`: the address's bits after the prefix must be zero (a range's own network address).
 * An IPv4 address (held in its mapped form) is only in an IPv4 range or a range inside
 * `::ffff:0:0/96` written as such: `'::/0'` or `'::/64'` do not trust every IPv4 peer.
 */
function inRange(g: Groups, range: Range, exact = false): boolean {
  if (!exact && isMapped(g) && !(range.bits >= 96 && isMapped(range.groups))) return false;
  for (let i = 0; i < 8; i++) {
    const m = mask(i, range.bits);
    if (exact ? ((g[i] as number) & ~m & 0xffff) !== 0 : ((g[i] as number) & m) !== ((range.groups[i] as number) & m)) return false;
  }
  return true;
}

/**
 * Checks and compiles the `trustedProxies` option of `authentication(...)`, with the
 * `forwardedHeader` the proxies write (not set: either, see {@link ForwardedHeader}).
 * A bad entry throws a `ConfigurationError` (code `invalid_configuration`) naming it
 * and the fix, at startup. `undefined` (not configured) compiles to `undefined`: no
 * forwarded header is ever read.
 *
 * @example
 * ```ts
 * const proxies = compileTrustedProxies(['10.0.0.0/8', 'loopback'], 'x-forwarded-for');
 * proxies?.clientOf('10.1.2.3', (name) => (name === 'x-forwarded-for' ? '203.0.113.7' : undefined)); // '203.0.113.7'
 * ```
 */
export function compileTrustedProxies(option: TrustedProxiesOption | undefined, forwardedHeader?: ForwardedHeader): TrustedProxies | undefined {
  if (forwardedHeader !== undefined && forwardedHeader !== 'x-forwarded-for' && forwardedHeader !== 'forwarded') {
    throw new ConfigurationError("forwardedHeader must be 'x-forwarded-for' or 'forwarded' (the header your proxy writes)");
  }
  if (option === undefined) {
    if (forwardedHeader !== undefined) throw new ConfigurationError('forwardedHeader is only read with trustedProxies: set trustedProxies to the proxies that write it, or remove forwardedHeader');
    return undefined;
  }
  if (typeof option === 'number') {
    if (!Number.isSafeInteger(option) || option < 0 || option > MAX_FORWARDED_HOPS) {
      throw new ConfigurationError(`trustedProxies: a hop count must be a whole number from 0 to ${MAX_FORWARDED_HOPS} (the number of proxies in front of the app)`);
    }
    const hops = option;
    const proxies: TrustedProxies = {
      clientOf: (peer, header) => resolve(peer, header, (_, i) => i < hops, forwardedHeader),
      trusts: (peer) => hops > 0 && normalizeAddress(peer) !== undefined,
    };
    return Object.freeze(proxies);
  }
  if (!Array.isArray(option)) {
    throw new ConfigurationError("trustedProxies must be a list of addresses and CIDR ranges (['10.0.0.0/8']) or a hop count (1)");
  }
  const ranges: Range[] = [];
  for (const entry of option as readonly unknown[]) {
    if (typeof entry !== 'string') throw new ConfigurationError("trustedProxies: every entry must be a string such as '10.0.0.0/8'");
    const named = Object.hasOwn(NAMED, entry) ? NAMED[entry] : undefined;
    for (const text of named ?? [entry]) ranges.push(parseRange(text));
  }
  Object.freeze(ranges);
  const trusted = (g: Groups): boolean => ranges.some((r) => inRange(g, r));
  const proxies: TrustedProxies = {
    clientOf: (peer, header) => resolve(peer, header, trusted, forwardedHeader),
    trusts: (peer) => {
      const normal = normalizeAddress(peer);
      const groups = normal === undefined ? undefined : parseAddress(normal);
      return groups !== undefined && trusted(groups);
    },
  };
  return Object.freeze(proxies);
}

/**
 * The walk, right to left: the socket's peer is hop 0; while hop `i` is trusted, the
 * element it reported (the next one to the left) becomes the candidate. It stops at the
 * first hop that is not trusted (that is the client), at the leftmost element, or at an
 * element that names no address (`unknown`, an obfuscated id, a malformed element, one
 * that reaches past {@link MAX_FORWARDED_LENGTH}): then the client address is the
 * trusted hop that reported it, the last address known for sure. Only the elements
 * actually walked are read: what a client writes to the left of the first untrusted hop
 * (junk, padding, a syntax error) changes nothing.
 */
function resolve(
  peer: string | undefined,
  header: (name: string) => string | undefined,
  trusted: (hop: Groups, index: number) => boolean,
  named: ForwardedHeader | undefined,
): string | undefined {
  if (peer === undefined) return undefined;
  const peerGroups = parseAddress(peer);
  if (peerGroups === undefined || !trusted(peerGroups, 0)) return peer;
  let name = named;
  let value = named === undefined ? undefined : header(named);
  if (named === undefined) {
    const forwarded = header('forwarded');
    const xff = header('x-forwarded-for');
    // Which one did the proxy write? A client can always add the other: unknown, not the proxy's address.
    if (forwarded !== undefined && xff !== undefined) return undefined;
    [name, value] = forwarded !== undefined ? ['forwarded', forwarded] : ['x-forwarded-for', xff];
  }
  if (value === undefined) return peer;
  const next = forwardedHops(value, name === 'forwarded');
  let current = peerGroups;
  for (let i = 0; ; i++) {
    if (i > 0 && !trusted(current, i)) break;
    const hop = next();
    const groups = hop === undefined || hop === '' ? undefined : parseAddress(hop);
    if (groups === undefined) break;
    current = groups;
  }
  return format(current);
}

/**
 * Reads a forwarded header's elements lazily, right to left (the nearest proxy's first):
 * each call gives the next element's address text, `''` for an element that names none
 * (`unknown`, `_hidden`, a port or host name in `X-Forwarded-For`, a malformed element,
 * one that starts more than {@link MAX_FORWARDED_LENGTH} characters from the end), and
 * `undefined` past the leftmost element or after {@link MAX_FORWARDED_HOPS} elements.
 * `forwarded`: RFC 7239 syntax (a comma inside a quoted string is no separator), else
 * `X-Forwarded-For` (comma-separated addresses). Each call scans only its own element.
 *
 * @internal exported for tests and the benchmark
 */
export function forwardedHops(value: string, forwarded: boolean): () => string | undefined {
  const floor = Math.max(0, value.length - MAX_FORWARDED_LENGTH);
  let end = value.length; // the exclusive end of the next element
  let read = 0;
  return () => {
    if (end < floor || read === MAX_FORWARDED_HOPS) return undefined;
    read++;
    let i = end - 1;
    if (forwarded) {
      let quoted = false;
      for (; i >= floor; i--) {
        const c = value.charCodeAt(i);
        if (c === 0x2c && !quoted) break;
        if (c !== 0x22) continue;
        // A quote after an odd run of backslashes is a quoted pair: it neither opens nor closes.
        let k = i - 1;
        while (k >= floor && value.charCodeAt(k) === 0x5c) k--;
        if ((i - 1 - k) % 2 === 0) quoted = !quoted;
      }
    } else {
      while (i >= floor && value.charCodeAt(i) !== 0x2c) i--;
    }
    const start = i + 1;
    const stop = end;
    end = i; // -1 after the leftmost element; below the floor after one cut by the cap
    if (i < floor && floor > 0) {
      end = -1;
      return ''; // reaches past the cap: its start was never read
    }
    return forwarded ? forwardedElement(value, start, stop) : xffElement(value.slice(start, stop));
  };
}

const XFF_ENTRY = /^[0-9A-Fa-f.:]{1,45}$/;

/** One `X-Forwarded-For` element (white space around it allowed): the address, or `''`. */
function xffElement(text: string): string {
  const entry = text.trim();
  return XFF_ENTRY.test(entry) && parseAddress(entry) !== undefined ? entry : '';
}

/** RFC 9110 token characters, by char code. */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TCHAR[c.charCodeAt(0)] = 1;

function isTchar(code: number): boolean {
  return code < 128 && TCHAR[code] === 1;
}

/** More parameters than this in one element and it counts as naming no address (bounds the duplicate check). */
const MAX_ELEMENT_PAIRS = 16;

/**
 * One `Forwarded` element (RFC 7239 §4), `value[start, end)`: pairs separated by `;`,
 * `name=value` with a token or quoted-string value, white space around pairs. Its
 * `for=` node's address (an IPv4 address or a bracketed IPv6 address, each with an
 * optional port); `''` for `unknown`, an obfuscated identifier (`_hidden`), a node that
 * is not an address, an element without `for`, and a malformed element (an unterminated
 * quote, a pair without `=`, a parameter twice).
 */
function forwardedElement(value: string, start: number, end: number): string {
  const names: string[] = [];
  let node: string | undefined;
  let i = start;
  const skipSpace = (): void => {
    while (i < end && (value[i] === ' ' || value[i] === '\t')) i++;
  };
  skipSpace();
  for (;;) {
    // one pair, or an empty one (`for=a;;by=b`)
    if (i < end && value.charCodeAt(i) !== 0x3b) {
      const nameStart = i;
      while (i < end && isTchar(value.charCodeAt(i))) i++;
      const name = value.slice(nameStart, i).toLowerCase();
      if (name === '' || i >= end || value[i] !== '=') return '';
      i++;
      let text: string;
      if (i < end && value[i] === '"') {
        i++;
        let out = '';
        let run = i;
        for (;;) {
          if (i >= end) return '';
          const c = value.charCodeAt(i);
          if (c === 0x22) break;
          if (c !== 0x09 && (c < 0x20 || c === 0x7f)) return '';
          if (c === 0x5c) {
            const e = i + 1 < end ? value.charCodeAt(i + 1) : NaN;
            if (!(e === 0x09 || (e >= 0x20 && e !== 0x7f))) return '';
            out += value.slice(run, i);
            run = i + 1; // the escaped character starts the next run
            i++;
          }
          i++;
        }
        text = out + value.slice(run, i);
        i++;
      } else {
        const vs = i;
        while (i < end && isTchar(value.charCodeAt(i))) i++;
        if (i === vs) return '';
        text = value.slice(vs, i);
      }
      if (names.includes(name) || names.length === MAX_ELEMENT_PAIRS) return '';
      names.push(name);
      if (name === 'for') node = text;
    }
    skipSpace();
    if (i >= end) return node === undefined ? '' : nodeAddress(node);
    if (value[i] !== ';') return '';
    i++;
    skipSpace();
  }
}

/**
 * The addresses a forwarded header reports, left (the client's claim) to right (what the
 * nearest proxy saw), as far as they are read: at most {@link MAX_FORWARDED_HOPS}
 * elements from the right, each an address text or `''`. For tests and tools; the
 * client address reads them lazily.
 *
 * @internal
 */
export function parseForwardedHeader(value: string, forwarded: boolean): string[] {
  const next = forwardedHops(value, forwarded);
  const out: string[] = [];
  for (let hop = next(); hop !== undefined; hop = next()) out.push(hop);
  return out.reverse();
}

const NODE = /^(?:([0-9.]{7,15})|\[([0-9A-Fa-f:.]{2,45})\])(?::(?:\d{1,5}|_[A-Za-z0-9._-]+))?$/;

/** The address of an RFC 7239 §6 node (`192.0.2.43:47011`, `"[2001:db8::1]"`), or `''`. */
function nodeAddress(node: string): string {
  const m = NODE.exec(node);
  if (m === null) return '';
  const v4 = m[1];
  if (v4 !== undefined) return parseIPv4(v4) === undefined ? '' : v4;
  const v6 = m[2] as string;
  return parseIPv6(v6) === undefined ? '' : v6;
}

/**
 * The socket peer's address of a Web `Request`, from what the runtime passes after
 * it: Bun.serve's `server` (`server.requestIP(request)`), Deno.serve's `info`
 * (`info.remoteAddr`, TCP only), @hono/node-server's bindings (`env.incoming`, the
 * Node request). `undefined` for anything else: Workers have no socket (see
 * `clientAddress` of `withAuth` for `CF-Connecting-IP`).
 *
 * @example
 * ```ts
 * Bun.serve({ fetch: (request, server) => new Response(runtimePeerAddress(request, server) ?? 'unknown') });
 * ```
 */
export function runtimePeerAddress(request: Request, context: unknown): string | undefined {
  if (context === null || typeof context !== 'object') return undefined;
  const bun = context as { requestIP?: unknown };
  if (typeof bun.requestIP === 'function') {
    try {
      const ip = (bun.requestIP as (r: Request) => { address?: unknown } | null)(request);
      return typeof ip?.address === 'string' ? ip.address : undefined;
    } catch {
      return undefined; // a Request this server did not receive
    }
  }
  const deno = (context as { remoteAddr?: { transport?: unknown; hostname?: unknown } }).remoteAddr;
  if (deno !== null && typeof deno === 'object') {
    return deno.transport === 'tcp' && typeof deno.hostname === 'string' ? deno.hostname : undefined;
  }
  return socketPeerAddress((context as { incoming?: { socket?: unknown } }).incoming?.socket);
}

/**
 * The peer address of a Node socket (`net.Socket`, or anything with a `remoteAddress`),
 * remembered per socket: a socket's peer never changes, while `socket.remoteAddress` goes
 * through the native handle on every call (about 500 instructions a request on a keep-alive
 * connection, issue #17). Only an address is remembered, so a socket whose address Node no
 * longer knows (closed) is asked again; `undefined` when it has none.
 *
 * @example
 * ```ts
 * import { socketPeerAddress } from '@portcullis/core/adapter';
 *
 * const socket = { remoteAddress: '203.0.113.7' };
 * socketPeerAddress(socket); // '203.0.113.7', read once for this socket
 * ```
 */
export function socketPeerAddress(socket: unknown): string | undefined {
  if (socket === null || typeof socket !== 'object') return undefined;
  let address: unknown = socketPeers.get(socket);
  if (address === undefined) {
    address = (socket as { remoteAddress?: unknown }).remoteAddress;
    if (typeof address !== 'string') return undefined;
    socketPeers.set(socket, address);
  }
  return address as string;
}

/**
 * The peer address of each Node socket `socketPeerAddress` read (@portcullis/node,
 * @hono/node-server); see there.
 */
const socketPeers = new WeakMap<object, string>();

/**
 * The throttling key of a client address (normalised, as `connection.clientAddress`
 * gives it): an IPv4 address as it is, an IPv6 address as its /64 network (one
 * subscriber usually holds a whole /64, so its 2^64 addresses share one bucket).
 * An IPv6 address that carries an IPv4 client (NAT64 `64:ff9b::/96`, IPv4-compatible
 * `::a.b.c.d`, Teredo `2001::/32`) keys as that IPv4 address: the clients behind one
 * translator would otherwise share one /64. `undefined` for anything that is not an
 * address.
 * @internal
 */
export function throttleAddress(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  const groups = parseAddress(address);
  if (groups === undefined) return undefined;
  if (isMapped(groups)) return format(groups);
  const v4 = embeddedIPv4(groups);
  if (v4 !== undefined) return v4;
  return `${format([...groups.slice(0, 4), 0, 0, 0, 0])}/64`;
}

/** The IPv4 client an IPv6 address carries (NAT64 well-known prefix, IPv4-compatible, Teredo), as IPv4 text; else `undefined`. */
function embeddedIPv4(g: Groups): string | undefined {
  const [a, b, c, d, e, f, hi, lo] = g;
  const ipv4 = (h: number, l: number): string => format([0, 0, 0, 0, 0, 0xffff, h, l]);
  if (a === 0x64 && b === 0xff9b && c === 0 && d === 0 && e === 0 && f === 0) return ipv4(hi!, lo!);
  // ::a.b.c.d, but not :: nor ::1 (nor anything below ::1.0.0.0: never a client).
  if (a === 0 && b === 0 && c === 0 && d === 0 && e === 0 && f === 0 && hi! >= 0x0100) return ipv4(hi!, lo!);
  // Teredo: the client's public IPv4 address, every bit inverted, in the last 32 bits.
  if (a === 0x2001 && b === 0) return ipv4(hi! ^ 0xffff, lo! ^ 0xffff);
  return undefined;
}

/**
 * The wider throttling key of an IPv6 client: its /48 network (a site; one provider
 * customer may hold a whole /48 and rotate its /64s). `undefined` for IPv4 (and
 * IPv4-mapped IPv6) addresses and for anything that is not an address.
 * @internal
 */
export function throttleNetwork48(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  const groups = parseAddress(address);
  if (groups === undefined || isMapped(groups) || embeddedIPv4(groups) !== undefined) return undefined;
  return `${format([...groups.slice(0, 3), 0, 0, 0, 0, 0])}/48`;
}
