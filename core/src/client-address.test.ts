import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileTrustedProxies, forwardedHops, MAX_FORWARDED_HOPS, MAX_FORWARDED_LENGTH, normalizeAddress, parseForwardedHeader, runtimePeerAddress, socketPeerAddress, throttleAddress, throttleNetwork48, type ForwardedHeader, type TrustedProxiesOption } from './client-address.js';
import { createAuthenticator } from './authenticator.js';
import { createConnection } from './connection.js';
import { conn, configError } from '../../test-support/connection.js';
import { growth, LINEAR_BOUND, SCALE } from '../../test-support/growth.js';

/** The client address of a request from `peer` with `headers`, under `trusted`. */
function client(peer: string | undefined, headers: Record<string, string>, trusted?: TrustedProxiesOption, named?: ForwardedHeader): string | undefined {
  const proxies = compileTrustedProxies(trusted, named);
  return conn({ headers, ...(peer === undefined ? {} : { peerAddress: peer }), ...(proxies === undefined ? {} : { trustedProxies: proxies }) }).clientAddress;
}

/** Every header name a connection from `peer` looked up to resolve its client address, under `trusted`. */
function headersRead(peer: string, trusted?: TrustedProxiesOption): string[] {
  const read: string[] = [];
  const headers: Record<string, string> = { 'x-forwarded-for': '6.6.6.6', 'x-real-ip': '6.6.6.6', forwarded: 'for=6.6.6.6' };
  const connection = createConnection({
    method: 'GET',
    target: '/',
    header: (name) => (read.push(name), headers[name]),
    peerAddress: peer,
    trustedProxies: compileTrustedProxies(trusted),
  });
  read.length = 0; // the constructor's own lookups (Authorization, Upgrade)
  void connection.clientAddress;
  return read;
}

describe('normalizeAddress', () => {
  it('gives IPv4 as dotted decimal and IPv6 compressed in lower case (RFC 5952)', () => {
    expect(normalizeAddress('127.0.0.1')).toBe('127.0.0.1');
    expect(normalizeAddress('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(normalizeAddress('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1'); // the first of two equal runs
    expect(normalizeAddress('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1'); // one zero group stays
    expect(normalizeAddress('::')).toBe('::');
    expect(normalizeAddress('::1')).toBe('::1');
    expect(normalizeAddress('fe80::')).toBe('fe80::');
  });

  it('gives an IPv4-mapped IPv6 address (a dual-stack Node server) as IPv4, in either notation', () => {
    expect(normalizeAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(normalizeAddress('::FFFF:7f00:1')).toBe('127.0.0.1');
    expect(normalizeAddress('0:0:0:0:0:ffff:c000:0201')).toBe('192.0.2.1');
  });

  it('drops brackets and a zone id (it names this host\'s interface, not the client)', () => {
    expect(normalizeAddress('[2001:db8::1]')).toBe('2001:db8::1');
    expect(normalizeAddress('fe80::1%eth0')).toBe('fe80::1');
    expect(normalizeAddress('fe80::1%25')).toBe('fe80::1');
  });

  it('refuses anything that is not an address', () => {
    for (const bad of ['', 'localhost', '1.2.3', '1.2.3.4.5', '01.2.3.4', '256.1.1.1', '1.2.3.4 ', ' 1.2.3.4', '0x7f.0.0.1',
      '1:2:3:4:5:6:7:8:9', '1::2::3', ':1', '1:', '12345::', 'g::1', '::1.2.3', '1.2.3.4%eth0', '::ffff:1.2.3.04', 'a'.repeat(100)]) {
      expect(normalizeAddress(bad), bad).toBeUndefined();
    }
    expect(normalizeAddress(undefined)).toBeUndefined();
    expect(normalizeAddress(null)).toBeUndefined();
  });

  it('agrees with the URL parser on every IPv6 address it accepts (generated)', () => {
    fc.assert(
      fc.property(fc.ipV6(), (address) => {
        const host = new URL(`http://[${address}]/`).hostname.slice(1, -1);
        const ours = normalizeAddress(address);
        // WHATWG serialises IPv4-mapped addresses in hex; ours is IPv4: compare through the mapped form.
        const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
        const expected = mapped === null ? host : [parseInt(mapped[1]!, 16) >> 8, parseInt(mapped[1]!, 16) & 255, parseInt(mapped[2]!, 16) >> 8, parseInt(mapped[2]!, 16) & 255].join('.');
        expect(ours).toBe(expected);
      }),
      { numRuns: 500 },
    );
    fc.assert(fc.property(fc.ipV4(), (address) => {
      expect(normalizeAddress(address)).toBe(address);
    }));
  });
});

describe('trustedProxies: configuration', () => {
  it('refuses a bad entry at startup with the fix in the message', () => {
    expect(configError(() => compileTrustedProxies(['10.0.0.0/33'])).message).toContain("'10.0.0.0/8'");
    expect(configError(() => compileTrustedProxies(['10.0.0.1/8'])).message).toContain("'10.0.0.0/8'");
    expect(configError(() => compileTrustedProxies(['fd00::1/8'])).message).toContain("'fd00::/8'");
    expect(configError(() => compileTrustedProxies(['proxy.internal'])).message).toContain('loopback');
    configError(() => compileTrustedProxies(['10.0.0.0/']));
    configError(() => compileTrustedProxies(['10.0.0.0/08x']));
    configError(() => compileTrustedProxies(['::1/129']));
    configError(() => compileTrustedProxies([' 10.0.0.1']));
    configError(() => compileTrustedProxies([10 as unknown as string]));
    configError(() => compileTrustedProxies('10.0.0.0/8' as unknown as string[]));
    configError(() => compileTrustedProxies(-1));
    configError(() => compileTrustedProxies(1.5));
    configError(() => compileTrustedProxies(MAX_FORWARDED_HOPS + 1));
    expect(configError(() => compileTrustedProxies(['loopback'], 'x-real-ip' as ForwardedHeader)).message).toContain("'x-forwarded-for' or 'forwarded'");
    expect(configError(() => compileTrustedProxies(undefined, 'forwarded')).message).toContain('set trustedProxies');
  });

  it('is checked by createAuthenticator, at startup', () => {
    const backend = { authenticate: () => null };
    configError(() => createAuthenticator({ backend, trustedProxies: ['nope'] }));
    expect(createAuthenticator({ backend }).trustedProxies).toBeUndefined();
    expect(createAuthenticator({ backend, trustedProxies: 1 }).trustedProxies).toBeDefined();
  });

  it('accepts addresses, ranges and the named ranges', () => {
    const proxies = compileTrustedProxies(['203.0.113.5', '2001:db8::/32', 'loopback', 'uniquelocal', 'linklocal']);
    const through = (peer: string) => proxies!.clientOf(peer, (name) => (name === 'x-forwarded-for' ? '198.51.100.1' : undefined));
    for (const peer of ['203.0.113.5', '2001:db8:1::9', '127.0.0.1', '127.255.0.1', '::1', '10.1.2.3', '172.31.0.1', '192.168.1.1', 'fd12::1', '169.254.1.1', 'fe80::1']) {
      expect(through(peer), peer).toBe('198.51.100.1');
    }
    for (const peer of ['203.0.113.6', '2001:db9::1', '172.32.0.1', '11.0.0.1', '::2']) expect(through(peer), peer).toBe(peer);
  });

  it('matches an IPv4 peer only against IPv4 ranges and ranges written inside ::ffff:0:0/96 (::/0 is not every IPv4 peer)', () => {
    const xff = { 'X-Forwarded-For': '198.51.100.1' };
    for (const v6 of [['::/0'], ['::/64'], ['::/95'], ['::fffe:0:0/95']]) {
      expect(client('192.0.2.1', xff, v6), v6[0]).toBe('192.0.2.1');
      expect(client('::ffff:192.0.2.1', xff, v6), v6[0]).toBe('192.0.2.1');
    }
    expect(client('2001:db8::1', xff, ['::/0'])).toBe('198.51.100.1');
    expect(client('192.0.2.1', xff, ['::ffff:0:0/96'])).toBe('198.51.100.1');
    expect(client('192.0.2.1', xff, ['::ffff:192.0.2.0/120'])).toBe('198.51.100.1');
    expect(client('192.0.2.1', xff, ['0.0.0.0/0'])).toBe('198.51.100.1');
    expect(client('2001:db8::1', xff, ['0.0.0.0/0'])).toBe('2001:db8::1');
  });
});

describe('the client address', () => {
  it('THR-10 without trustedProxies it is the socket peer, and no forwarded header is read', () => {
    const headers = { 'X-Forwarded-For': '6.6.6.6', 'X-Real-IP': '6.6.6.6', Forwarded: 'for=6.6.6.6', 'CF-Connecting-IP': '6.6.6.6' };
    expect(client('::ffff:192.0.2.10', headers)).toBe('192.0.2.10');
    expect(headersRead('192.0.2.10')).toEqual([]);
  });

  it('THR-11 a peer outside trustedProxies is the client: its X-Forwarded-For is not even read', () => {
    expect(client('192.0.2.10', { 'X-Forwarded-For': '6.6.6.6' }, ['127.0.0.1/32'])).toBe('192.0.2.10');
    expect(headersRead('192.0.2.10', ['127.0.0.1/32'])).toEqual([]);
    expect(headersRead('127.0.0.1', ['127.0.0.1/32'])).toEqual(['forwarded', 'x-forwarded-for']);
  });

  it('is read right to left through trusted hops only: what a client writes on the left is not believed', () => {
    const trusted = ['10.0.0.0/8'];
    expect(client('10.0.0.1', { 'X-Forwarded-For': '203.0.113.7' }, trusted)).toBe('203.0.113.7');
    // The client claimed 6.6.6.6 and 10.0.0.99; the proxy appended what it saw.
    expect(client('10.0.0.1', { 'X-Forwarded-For': '6.6.6.6, 10.0.0.99, 203.0.113.7' }, trusted)).toBe('203.0.113.7');
    // Two proxies: 10.0.0.2 saw 10.0.0.1? no: the edge proxy 10.0.0.5 saw the client, the inner one saw 10.0.0.5.
    expect(client('10.0.0.1', { 'X-Forwarded-For': '6.6.6.6, 203.0.113.7, 10.0.0.5' }, trusted)).toBe('203.0.113.7');
    // Every hop trusted: the leftmost entry.
    expect(client('10.0.0.1', { 'X-Forwarded-For': '10.0.0.3, 10.0.0.5' }, trusted)).toBe('10.0.0.3');
    // IPv6 entries and peers, normalised.
    expect(client('::ffff:10.0.0.1', { 'X-Forwarded-For': '2001:DB8:0::7' }, trusted)).toBe('2001:db8::7');
  });

  it('with a hop count, trusts that many hops whatever their addresses', () => {
    const xff = { 'X-Forwarded-For': '6.6.6.6, 203.0.113.7, 198.51.100.2' };
    expect(client('192.0.2.1', xff, 0)).toBe('192.0.2.1');
    expect(client('192.0.2.1', xff, 1)).toBe('198.51.100.2');
    expect(client('192.0.2.1', xff, 2)).toBe('203.0.113.7');
    expect(client('192.0.2.1', xff, 3)).toBe('6.6.6.6');
    expect(client('192.0.2.1', xff, 5)).toBe('6.6.6.6'); // fewer entries than hops: the leftmost
  });

  it('reads Forwarded (RFC 7239): quoted strings, IPv6 in brackets, ports, parameter names in any case', () => {
    const trusted = ['loopback'];
    expect(client('127.0.0.1', { Forwarded: 'for=192.0.2.43' }, trusted)).toBe('192.0.2.43');
    expect(client('127.0.0.1', { Forwarded: 'For="[2001:db8:cafe::17]:4711"' }, trusted)).toBe('2001:db8:cafe::17');
    expect(client('127.0.0.1', { Forwarded: 'for="192.0.2.60:8080";proto=http;by=203.0.113.43' }, trusted)).toBe('192.0.2.60');
    expect(client('127.0.0.1', { Forwarded: 'for=6.6.6.6, for=198.51.100.17;by=127.0.0.1' }, trusted)).toBe('198.51.100.17');
    expect(client('127.0.0.1', { Forwarded: 'for=198.51.100.17 , for=127.0.0.2' }, trusted)).toBe('198.51.100.17');
    expect(client('127.0.0.1', { Forwarded: 'for="\\1\\9\\8.51.100.1"' }, trusted)).toBe('198.51.100.1'); // quoted pairs
  });

  it('stops at a hop that names no address (unknown, obfuscated, junk): the trusted proxy that reported it is the client', () => {
    const trusted = ['10.0.0.0/8'];
    expect(client('10.0.0.1', { Forwarded: 'for=unknown' }, trusted)).toBe('10.0.0.1');
    expect(client('10.0.0.1', { Forwarded: 'for=6.6.6.6, for=_hidden, for=10.0.0.2' }, trusted)).toBe('10.0.0.2');
    expect(client('10.0.0.1', { Forwarded: 'for="_gazonk:_port"' }, trusted)).toBe('10.0.0.1');
    expect(client('10.0.0.1', { Forwarded: 'by=10.0.0.1;proto=https' }, trusted)).toBe('10.0.0.1'); // no for=
    expect(client('10.0.0.1', { Forwarded: 'for="[1.2.3.4]"' }, trusted)).toBe('10.0.0.1'); // brackets are for IPv6
    expect(client('10.0.0.1', { Forwarded: 'for="2001:db8::1"' }, trusted)).toBe('10.0.0.1'); // IPv6 needs brackets
    expect(client('10.0.0.1', { 'X-Forwarded-For': '6.6.6.6, unknown' }, trusted)).toBe('10.0.0.1');
    expect(client('10.0.0.1', { 'X-Forwarded-For': '6.6.6.6, 203.0.113.7:443' }, trusted)).toBe('10.0.0.1');
    expect(client('10.0.0.1', { 'X-Forwarded-For': '6.6.6.6, [2001:db8::1]' }, trusted)).toBe('10.0.0.1');
    // Junk to the left of an untrusted hop is never reached.
    expect(client('10.0.0.1', { 'X-Forwarded-For': 'junk, 203.0.113.7' }, trusted)).toBe('203.0.113.7');
  });

  it('a malformed element counts like unknown when the walk reaches it: the trusted hop that reported it, never an error', () => {
    const trusted = ['10.0.0.0/8'];
    for (const forwarded of ['for="6.6.6.6', 'for', 'for=', '=6.6.6.6', 'for=6.6.6.6;for=7.7.7.7', 'for=6.6.6.6 x', 'for="6.6.6.6\u0000"', 'for=a"b', 'for=6.6.6.6\\']) {
      expect(client('10.0.0.1', { Forwarded: forwarded }, trusted), forwarded).toBe('10.0.0.1');
      expect(client('10.0.0.1', { Forwarded: `${forwarded}, for=10.0.0.7` }, trusted), forwarded).toBe('10.0.0.7');
    }
    for (const xff of ['', ',', '6.6.6.6,', ' , ']) {
      expect(client('10.0.0.1', { 'X-Forwarded-For': xff }, trusted), xff).toBe('10.0.0.1');
    }
    expect(client('10.0.0.1', { 'X-Forwarded-For': '10.0.0.7,, 10.0.0.5' }, trusted)).toBe('10.0.0.5');
  });

  it('THR-11 a client cannot make its address the proxy\'s: what it writes left of the proxy\'s entry is never judged', () => {
    // nginx on loopback: `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`
    // appends the client it saw (203.0.113.7) to whatever the client sent.
    const nginx = (sent: string | undefined): Record<string, string> => ({ 'X-Forwarded-For': sent === undefined ? '203.0.113.7' : `${sent}, 203.0.113.7` });
    const trusted = ['loopback'];
    expect(client('127.0.0.1', nginx(','), trusted)).toBe('203.0.113.7'); // an empty element
    expect(client('127.0.0.1', nginx('junk, [::1]:80, unknown'), trusted)).toBe('203.0.113.7');
    expect(client('127.0.0.1', nginx('1'.repeat(MAX_FORWARDED_LENGTH + 100)), trusted)).toBe('203.0.113.7'); // padding past the cap
    expect(client('127.0.0.1', nginx('127.0.0.1, '.repeat(1000)), trusted)).toBe('203.0.113.7');
    // The client adds the header nginx does not write: named, it is ignored; not named, the address is unknown, not the proxy's.
    for (const forwarded of ['for=127.0.0.1', 'for=a;for=b', 'for="']) {
      expect(client('127.0.0.1', { ...nginx(undefined), Forwarded: forwarded }, trusted, 'x-forwarded-for'), forwarded).toBe('203.0.113.7');
      expect(client('127.0.0.1', { ...nginx(undefined), Forwarded: forwarded }, trusted), forwarded).toBeUndefined();
    }
    // A proxy that writes Forwarded (appending `for=` to what it received) and names it.
    const appended = (sent: string): Record<string, string> => ({ Forwarded: `${sent}, for=203.0.113.7`, 'X-Forwarded-For': '127.0.0.1' });
    for (const sent of ['for=a;for=b', 'for="x, y', 'for=1;;;by', ',', 'x'.repeat(MAX_FORWARDED_LENGTH)]) {
      expect(client('127.0.0.1', appended(sent), trusted, 'forwarded'), sent).toBe('203.0.113.7');
    }
  });

  it('with forwardedHeader, reads that header only; without it, a request with both has no client address', () => {
    const both = { Forwarded: 'for=198.51.100.1', 'X-Forwarded-For': '203.0.113.7' };
    expect(client('10.0.0.1', both, ['10.0.0.0/8'])).toBeUndefined();
    expect(client('10.0.0.1', both, ['10.0.0.0/8'], 'x-forwarded-for')).toBe('203.0.113.7');
    expect(client('10.0.0.1', both, ['10.0.0.0/8'], 'forwarded')).toBe('198.51.100.1');
    expect(client('10.0.0.1', { Forwarded: 'for=198.51.100.1' }, ['10.0.0.0/8'], 'x-forwarded-for')).toBe('10.0.0.1');
    expect(client('10.0.0.1', { 'X-Forwarded-For': '203.0.113.7' }, 1, 'forwarded')).toBe('10.0.0.1');
    // An untrusted peer is the client whatever it sends.
    expect(client('192.0.2.1', both, ['10.0.0.0/8'])).toBe('192.0.2.1');
  });

  it('caps what it reads: only the last MAX_FORWARDED_LENGTH characters, at most MAX_FORWARDED_HOPS hops', () => {
    // Every hop trusted: the walk reaches the element cut by the cap, which names no address.
    const padded = (length: number): string => `10.1.1.1${' '.repeat(length - 18)}, 10.0.0.7`;
    expect(client('10.0.0.1', { 'X-Forwarded-For': padded(MAX_FORWARDED_LENGTH + 1) }, ['10.0.0.0/8'])).toBe('10.0.0.7'); // its start is past the cap
    expect(client('10.0.0.1', { 'X-Forwarded-For': padded(MAX_FORWARDED_LENGTH) }, ['10.0.0.0/8'])).toBe('10.1.1.1'); // within it
    expect(client('10.0.0.1', { 'X-Forwarded-For': `${'9'.repeat(MAX_FORWARDED_LENGTH)}, 10.0.0.7` }, ['10.0.0.0/8'])).toBe('10.0.0.7');
    const chain = Array.from({ length: 40 }, (_, i) => `10.0.${i}.1`).join(', ');
    expect(client('10.0.0.1', { 'X-Forwarded-For': chain }, ['10.0.0.0/8'])).toBe(`10.0.${40 - MAX_FORWARDED_HOPS}.1`);
  });

  it('is undefined without a peer; the peer is normalised, and an unreadable one is undefined', () => {
    expect(client(undefined, { 'X-Forwarded-For': '203.0.113.7' }, 1)).toBeUndefined();
    expect(client('not an address', { 'X-Forwarded-For': '203.0.113.7' }, 1)).toBeUndefined();
    expect(conn({ peerAddress: '::FFFF:10.0.0.1' }).peerAddress).toBe('10.0.0.1');
    expect(conn().peerAddress).toBeUndefined();
  });

  it('generated hostile headers: never throws; the answer is the peer or an address the header holds; an untrusted peer is always the answer', () => {
    const piece = fc.oneof(
      fc.constantFrom('for=', 'For=', '"', '\\', ',', ';', ' ', '[', ']', ':', '_', 'unknown', '=', 'by=', '\t', '\u0000', '%'),
      fc.ipV4(),
      fc.ipV6(),
      fc.string({ maxLength: 6 }),
    );
    const header = fc.array(piece, { maxLength: 20 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(header, fc.constantFrom('forwarded', 'x-forwarded-for'), fc.oneof(fc.constant(['10.0.0.0/8'] as const), fc.integer({ min: 0, max: 4 })), (value, name, trusted) => {
        const answer = client('10.0.0.1', { [name]: value }, trusted);
        expect(answer).toBeDefined();
        if (answer !== '10.0.0.1') {
          const inHeader = [...value.matchAll(/[0-9A-Fa-f.:]+/g)].some(([m]) => normalizeAddress(m) === answer);
          expect(inHeader).toBe(true);
        }
        expect(client('192.0.2.1', { [name]: value }, ['10.0.0.0/8'])).toBe('192.0.2.1');
      }),
      { numRuns: 2000 },
    );
  });

  it('parses in linear time (DOS rules)', () => {
    const n = 512;
    for (const [forwarded, unit] of [
      [true, 'for="[::1]:1";by=x, '],
      [true, '"\\'],
      [true, '\\'],
      [true, ';'],
      [true, 'a=1;'],
      [false, '1.2.3.4, '],
      [false, ','],
    ] as const) {
      expect(growth((v: string) => parseForwardedHeader(v, forwarded), unit.repeat(n / 8), unit.repeat((SCALE * n) / 8)), unit).toBeLessThan(LINEAR_BOUND);
    }
  });

  it('reads only the elements it is asked for, right to left, at most MAX_FORWARDED_HOPS of them', () => {
    const next = forwardedHops('for=6.6.6.6;for=x, for="[2001:db8::1]:80", for=unknown, for=198.51.100.1', true);
    expect([next(), next(), next(), next(), next()]).toEqual(['198.51.100.1', '', '2001:db8::1', '', undefined]);
    expect(parseForwardedHeader('for="a,b", for=1.2.3.4', true)).toEqual(['', '1.2.3.4']); // a quoted comma separates nothing
    expect(parseForwardedHeader('for="\\", for=1.2.3.4', true)).toEqual(['', '1.2.3.4']);
    expect(parseForwardedHeader(' 1.2.3.4 ,2001:DB8::1,', false)).toEqual(['1.2.3.4', '2001:DB8::1', '']);
    expect(parseForwardedHeader('1.1.1.1,'.repeat(100), false)).toHaveLength(MAX_FORWARDED_HOPS);
  });
});

describe('runtimePeerAddress', () => {
  const request = new Request('http://app.example/');
  it("reads Bun's server.requestIP, Deno's info.remoteAddr and @hono/node-server's env.incoming", () => {
    expect(runtimePeerAddress(request, { requestIP: (r: Request) => (r === request ? { address: '::1', family: 'IPv6', port: 1 } : null) })).toBe('::1');
    expect(runtimePeerAddress(new Request('http://x/'), { requestIP: () => null })).toBeUndefined();
    expect(runtimePeerAddress(request, { requestIP: () => { throw new TypeError('not mine'); } })).toBeUndefined();
    expect(runtimePeerAddress(request, { remoteAddr: { transport: 'tcp', hostname: '127.0.0.1', port: 1 } })).toBe('127.0.0.1');
    expect(runtimePeerAddress(request, { remoteAddr: { transport: 'unix', path: '/tmp/s' } })).toBeUndefined();
    expect(runtimePeerAddress(request, { incoming: { socket: { remoteAddress: '::ffff:127.0.0.1' } } })).toBe('::ffff:127.0.0.1');
    for (const none of [undefined, null, 1, {}, { SCENARIO: 'x' }]) expect(runtimePeerAddress(request, none)).toBeUndefined();
  });

  it('socketPeerAddress: the same memory for @portcullis/node (read once per socket; nothing for a non-object or a socket without one)', () => {
    let reads = 0;
    const socket = { get remoteAddress() { reads++; return '198.51.100.4'; } };
    expect(socketPeerAddress(socket)).toBe('198.51.100.4');
    expect(socketPeerAddress(socket)).toBe('198.51.100.4');
    expect(reads).toBe(1);
    expect(socketPeerAddress(undefined)).toBeUndefined();
    expect(socketPeerAddress('10.0.0.1')).toBeUndefined();
    expect(socketPeerAddress({})).toBeUndefined();
  });

  it("asks a Node socket for its address once, and a socket that has none again (issue #17)", () => {
    let reads = 0;
    let address: string | undefined;
    const socket = { get remoteAddress() { reads++; return address; } };
    expect(runtimePeerAddress(request, { incoming: { socket } })).toBeUndefined();
    expect(runtimePeerAddress(request, { incoming: { socket } })).toBeUndefined();
    expect(reads).toBe(2);
    address = '192.0.2.7';
    expect(runtimePeerAddress(request, { incoming: { socket } })).toBe('192.0.2.7');
    expect(runtimePeerAddress(request, { incoming: { socket } })).toBe('192.0.2.7');
    expect(reads).toBe(3);
    // Another socket has its own address.
    expect(runtimePeerAddress(request, { incoming: { socket: { remoteAddress: '::1' } } })).toBe('::1');
    for (const socket of [null, 1, 'x']) expect(runtimePeerAddress(request, { incoming: { socket } })).toBeUndefined();
  });
});

describe('throttleAddress (the address bucket key)', () => {
  it('THR-13 IPv4 as is, IPv6 as its /64 and /48; an IPv6 address carrying an IPv4 client (NAT64, IPv4-compatible, Teredo) as that IPv4 address', () => {
    const keys = (a: string) => [throttleAddress(a), throttleNetwork48(a)];
    expect(keys('203.0.113.5')).toEqual(['203.0.113.5', undefined]);
    expect(keys('::ffff:203.0.113.5')).toEqual(['203.0.113.5', undefined]);
    expect(keys('2001:db8:1:2:3::4')).toEqual(['2001:db8:1:2::/64', '2001:db8:1::/48']);
    expect(keys('64:ff9b::203.0.113.5')).toEqual(['203.0.113.5', undefined]);
    expect(keys('64:ff9b::cb00:7106')).toEqual(['203.0.113.6', undefined]);
    expect(keys('::203.0.113.7')).toEqual(['203.0.113.7', undefined]);
    expect(keys('2001:0:4136:e378:8000:63bf:3fff:fdd2')).toEqual(['192.0.2.45', undefined]); // Teredo: inverted
    // Not embedded: the unspecified and loopback addresses, a NAT64 local-use prefix with a nonzero suffix, other 2001::/16.
    expect(keys('::1')).toEqual(['::/64', '::/48']);
    expect(keys('64:ff9b:1::1')).toEqual(['64:ff9b:1::/64', '64:ff9b:1::/48']);
    expect(keys('2001:db8::1')).toEqual(['2001:db8::/64', '2001:db8::/48']);
  });
});
