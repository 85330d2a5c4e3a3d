// Generators of hostile requests for the differential fuzzer (fast-check).
// Web standards only. Every generated request says which users it carries an
// unmodified valid credential of (`holders`): the oracle allows no other user.
import fc from 'fast-check';
import { hmacSha256 } from '@portcullis/core/adapter';
import { base64, base64url } from '../base64.js';
import { USERS } from '../fixtures.js';
import { FUZZ_API_KEY, FUZZ_AUDIENCE, FUZZ_ISSUER, FUZZ_JWT_SECRET, FUZZ_NOW, FUZZ_ROUTES } from './app.js';

/** One generated request: written byte for byte (header lines kept as generated, duplicates included). */
export interface FuzzRequest {
  /** The request method (also unusual and lower-case ones). */
  readonly method: string;
  /** The request-target (origin form). */
  readonly target: string;
  /** Header lines in order; `Host` and `Connection` are added by the sender. */
  readonly headers: readonly (readonly [string, string])[];
  /** Users whose unmodified valid credential the request carries. */
  readonly holders: readonly string[];
}

/** In a header value: the adapter's own valid session cookie (`name=value`), substituted when sending. */
export const SESSION = '\uE000';
/** In a header value: that cookie with its value tampered (its last character changed). */
export const TAMPERED_SESSION = '\uE001';

/** A credential and whose valid credential it is (`null`: none). */
interface Credential {
  readonly value: string;
  readonly holder: string | null;
}

const encoder = new TextEncoder();
const mac = hmacSha256(FUZZ_JWT_SECRET);

/**
 * A compact JWS signed with the fuzz app's HS256 secret (synchronous: the core's HMAC).
 *
 * @example
 * ```ts
 * const bearer = `Bearer ${signFuzzJwt(FUZZ_JWT_HEADER, fuzzClaims('alice'))}`;
 * ```
 */
export function signFuzzJwt(header: unknown, payload: unknown): string {
  const input = `${base64url(typeof header === 'string' ? header : JSON.stringify(header))}.${base64url(typeof payload === 'string' ? payload : JSON.stringify(payload))}`;
  return `${input}.${base64url(mac(encoder.encode(input)))}`;
}

const NOW_S = FUZZ_NOW / 1000;
/**
 * Claims of a valid token for `sub` at the fuzz app's clock; `extra` overrides them.
 *
 * @example
 * ```ts
 * const expired = signFuzzJwt(FUZZ_JWT_HEADER, fuzzClaims('alice', { exp: 1 }));
 * ```
 */
export function fuzzClaims(sub = 'alice', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { sub, iss: FUZZ_ISSUER, aud: FUZZ_AUDIENCE, iat: NOW_S - 10, exp: NOW_S + 300, jti: `j-${sub}`, ...extra };
}

// ---------------------------------------------------------------------------
// Strings
// ---------------------------------------------------------------------------

/** Characters allowed in a header field value that a hostile client likes: TAB, commas, quotes, `=`, obs-text, UTF-8. */
const valueChar = fc.constantFrom(
  'a', 'Z', '0', '9', '+', '/', '=', '-', '_', '.', ',', ';', ':', ' ', '\t', '"', '\\', '%', '~', '!', '*', '@', 'é', 'ÿ', '€', '\u00a0',
);
const valueString = (max = 24) => fc.string({ unit: valueChar, maxLength: max });

/** Any text, control characters and lone surrogates included (it only ever travels base64- or percent-encoded). */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: fc.constantFrom(':', '\u0000', '\u0001', '\r', '\n', '\t', '\u007f', ' ', 'a', 'é', '\u0085', '\u2028', '\ufeff'), maxLength: 8 }),
);

// ---------------------------------------------------------------------------
// Mutations of a credential string
// ---------------------------------------------------------------------------

/** Changes one character, drops or adds padding, inserts junk, truncates, doubles, or changes the alphabet. */
function mutated(value: string): fc.Arbitrary<string> {
  const at = fc.nat({ max: Math.max(0, value.length - 1) });
  return fc.oneof(
    fc.tuple(at, fc.constantFrom('A', 'a', '0', '+', '/', '-', '_', '=', '.', ' ', '\t', ',', '%', 'é')).map(([i, c]) => value.slice(0, i) + c + value.slice(i + 1)),
    fc.tuple(at, fc.constantFrom('=', '==', ' ', '\t', '.', ',', '*', 'é')).map(([i, c]) => value.slice(0, i) + c + value.slice(i)),
    at.map((i) => value.slice(0, i) + value.slice(i + 1)),
    at.map((i) => value.slice(0, i)),
    fc.constant(value.replace(/=+$/, '')),
    fc.constant(value + '='),
    fc.constant(value.replace(/\+/g, '-').replace(/\//g, '_')),
    fc.constant(value.replace(/-/g, '+').replace(/_/g, '/')),
    fc.constant(`${value}${value}`),
    fc.constant(value.toUpperCase()),
  );
}

/**
 * A credential, or a mutation of it, which no longer counts as valid unless it is the
 * same credential: equal, or with spaces put before it (after a scheme, `1*SP` may
 * separate it, RFC 9110 §11.4; at the start of a header value they are not part of it).
 */
function validOrMutated(value: string, holder: string): fc.Arbitrary<Credential> {
  return fc.oneof(
    fc.constant({ value, holder }),
    mutated(value).map((v) => ({ value: v, holder: v.replace(/^ +/, '') === value ? holder : null })),
  );
}

// ---------------------------------------------------------------------------
// Credentials per scheme
// ---------------------------------------------------------------------------

const knownUsers = [...USERS.entries()];

const basicToken: fc.Arbitrary<Credential> = fc.oneof(
  // A known user and password, or a mutation of their base64.
  fc.constantFrom(...knownUsers).chain(([user, { password }]) => validOrMutated(base64(`${user}:${password}`), user)),
  // Wrong passwords, control characters, colons, empty fields, UTF-8 and lone surrogates.
  fc.tuple(fc.oneof(fc.constantFrom(...knownUsers.map(([u]) => u)), anyText), fc.constantFrom(':', '', '::'), anyText).map(([u, sep, p]) => ({
    value: base64(`${u}${sep}${p}`),
    holder: null,
  })),
  // Bytes that are not UTF-8.
  fc.uint8Array({ maxLength: 16 }).map((bytes) => ({ value: base64(bytes), holder: null })),
  // Not base64 at all.
  valueString().map((value) => ({ value, holder: null })),
);

/** The header of the tokens the fuzz app accepts (`typ` is required: RFC 9068, @portcullis/jwt's default). */
export const FUZZ_JWT_HEADER = Object.freeze({
  /** The algorithm pinned by the fuzz app. */
  alg: 'HS256',
  /** The token type (RFC 9068). */
  typ: 'at+jwt',
});

/**
 * A header the fuzz app's JWT backend accepts: `alg` HS256 and `typ` at+jwt as pinned, no
 * `crit`; other parameters (`kid`, `jku`, `jwk`, even a `__proto__` key) are ignored, never trusted.
 */
function acceptedHeader(header: unknown): boolean {
  if (header === null || typeof header !== 'object' || Array.isArray(header)) return false;
  const h = header as Record<string, unknown>;
  return h.alg === FUZZ_JWT_HEADER.alg && h.typ === FUZZ_JWT_HEADER.typ && !Object.hasOwn(h, 'crit');
}

const JWT_HEADERS: readonly unknown[] = [
  FUZZ_JWT_HEADER,
  { alg: 'HS256', typ: 'JWT' },
  { alg: 'HS256' },
  { alg: 'none', typ: 'JWT' },
  { alg: 'HS512', typ: 'JWT' },
  { alg: 'RS256', typ: 'JWT' },
  { alg: 'hs256' },
  { alg: 'HS256', kid: '../../dev/null' },
  { alg: 'HS256', jku: 'https://evil.example/jwks.json' },
  { alg: 'HS256', jwk: { kty: 'oct', k: 'AAAA' } },
  { alg: 'HS256', crit: ['exp'] },
  { alg: 'HS256', b64: false, crit: ['b64'] },
  { alg: 'HS256', typ: 'at+jwt', ['__proto__']: { admin: true } },
  '{"alg":"HS256"',
  '[]',
  'null',
  '{"alg":"HS256","alg":"none"}',
];

const jwtPayload: fc.Arbitrary<{ payload: unknown; holder: string | null }> = fc.oneof(
  fc.constantFrom('alice', 'dave').map((sub) => ({ payload: fuzzClaims(sub), holder: sub })),
  fc
    .record({
      sub: fc.constantFrom('alice', 'dave', 'mallory', '', 'alice\u0000', '__proto__'),
      drop: fc.subarray(['exp', 'iat', 'iss', 'aud', 'sub']),
      exp: fc.constantFrom(NOW_S - 1, NOW_S, NOW_S + 300, NOW_S + 10 ** 10, '9999999999', null, -1, 1e308, Number.MAX_SAFE_INTEGER + 2),
      aud: fc.constantFrom(FUZZ_AUDIENCE, 'https://evil.example', [FUZZ_AUDIENCE, 'x'], ['x'], ''),
      iss: fc.constantFrom(FUZZ_ISSUER, 'https://evil.example', ''),
      nbf: fc.constantFrom(undefined, NOW_S + 1000, NOW_S - 1000, 'soon'),
      scope: fc.constantFrom(undefined, 'admin', ['admin'], 42),
    })
    .map(({ sub, drop, ...rest }) => {
      const claims: Record<string, unknown> = { ...fuzzClaims(sub), ...rest };
      for (const key of drop) delete claims[key];
      if (claims.nbf === undefined) delete claims.nbf;
      if (claims.scope === undefined) delete claims.scope;
      return { payload: claims, holder: null };
    }),
  fc.constantFrom('{"sub":"alice"', '[]', '"alice"', '', '{"sub":"alice","sub":"dave","exp":99999999999}').map((payload) => ({ payload, holder: null })),
);

const jwtToken: fc.Arbitrary<Credential> = fc.oneof(
  // Valid or tampered whole tokens.
  fc.constantFrom('alice', 'dave').chain((sub) => validOrMutated(signFuzzJwt(FUZZ_JWT_HEADER, fuzzClaims(sub)), sub)),
  // Header and payload combinations, correctly signed (alg: none and friends must still be refused).
  fc.tuple(fc.constantFrom(...JWT_HEADERS), jwtPayload).map(([header, { payload, holder }]) => {
    const valid = acceptedHeader(header) && holder !== null;
    return { value: signFuzzJwt(header, payload), holder: valid ? holder : null };
  }),
  // Structure: parts dropped, added, emptied, unsigned, swapped.
  fc
    .tuple(fc.constantFrom('alice', 'dave'), fc.constantFrom('two', 'four', 'empty-sig', 'unsigned', 'dots', 'padded', 'swap', 'spaces'))
    .map(([sub, kind]) => {
      const token = signFuzzJwt(FUZZ_JWT_HEADER, fuzzClaims(sub));
      const [h, p, s] = token.split('.') as [string, string, string];
      const value = {
        two: `${h}.${p}`,
        four: `${token}.${s}`,
        'empty-sig': `${h}.${p}.`,
        unsigned: `${base64url('{"alg":"none"}')}.${p}.`,
        dots: `..${token}`,
        padded: `${h}=.${p}=.${s}=`,
        swap: `${p}.${h}.${s}`,
        spaces: `${h}. ${p}.${s}`,
      }[kind];
      return { value, holder: null };
    }),
);

const tokenValue: fc.Arbitrary<Credential> = fc.oneof(validOrMutated('abcd', 'bob'), valueString().map((value) => ({ value, holder: null })));

/** An `Authorization` value: a scheme (any case), its separator and a credential. */
const authorization: fc.Arbitrary<Credential> = fc
  .tuple(
    fc.oneof(
      fc.constant({ scheme: 'Basic', credential: basicToken }),
      fc.constant({ scheme: 'Bearer', credential: jwtToken }),
      fc.constant({ scheme: 'Token', credential: tokenValue }),
      fc.constant({ scheme: fc.constantFrom('Digest', 'Negotiate', 'ApiKey', 'Bearer,', '', 'B\u00e9arer'), credential: tokenValue }),
    ),
    fc.constantFrom('canonical', 'lower', 'upper'),
    fc.constantFrom(' ', ' ', ' ', '  ', '\t', '', ' \t'),
    fc.constantFrom('', '', '', ' ', '\t', ','),
  )
  .chain(([{ scheme, credential }, caseOf, sep, trail]) =>
    fc.tuple(typeof scheme === 'string' ? fc.constant(scheme) : scheme, credential).map(([s, c]) => {
      const shaped = caseOf === 'lower' ? s.toLowerCase() : caseOf === 'upper' ? s.toUpperCase() : s;
      // The scheme is case-insensitive, `1*SP` may separate it (BAS-05) and trailing whitespace is not part of a
      // field value (RFC 9110 §5.5); a TAB after the scheme or a trailing comma make another credential.
      const same = /^ +$/.test(sep) && trail.trim() === '';
      return { value: `${shaped}${sep}${c.value}${trail}`, holder: same ? c.holder : null };
    }),
  );

/** Several credentials in one `Authorization` value, comma-joined (BAS-15, BEA-09). */
const commaJoined: fc.Arbitrary<Credential> = fc
  .tuple(authorization, authorization, fc.constantFrom(', ', ',', ' , '))
  .map(([a, b, sep]) => ({ value: `${a.value}${sep}${b.value}`, holder: null }));

/** Over the core's 8 KiB cap; some over Node's 16 KiB header limit (431 from the runtime: DOS-03). */
const oversized: fc.Arbitrary<Credential> = fc
  .tuple(fc.constantFrom('Basic ', 'Bearer ', 'Token ', ''), fc.constantFrom(8 * 1024 + 1, 9 * 1024, 12 * 1024, 17 * 1024), fc.constantFrom('A', 'a.', '='))
  .map(([s, n, unit]) => ({ value: s + unit.repeat(Math.ceil(n / unit.length)), holder: null }));

// ---------------------------------------------------------------------------
// Header sets
// ---------------------------------------------------------------------------

type Lines = readonly { readonly name: string; readonly value: string; readonly holder: string | null }[];

const authorizationLines: fc.Arbitrary<Lines> = fc.oneof(
  { weight: 6, arbitrary: authorization.map((c) => [{ name: 'Authorization', value: c.value, holder: c.holder }]) },
  { weight: 1, arbitrary: commaJoined.map((c) => [{ name: 'Authorization', value: c.value, holder: null }]) },
  // Duplicate field lines: both are refused, so neither counts.
  { weight: 2, arbitrary: fc.tuple(authorization, authorization, fc.constantFrom('Authorization', 'authorization', 'AUTHORIZATION')).map(([a, b, n]) => [
    { name: 'Authorization', value: a.value, holder: null },
    { name: n, value: b.value, holder: null },
  ]) },
  { weight: 1, arbitrary: oversized.map((c) => [{ name: 'Authorization', value: c.value, holder: null }]) },
  { weight: 1, arbitrary: fc.constant([{ name: 'Proxy-Authorization', value: `Basic ${base64('alice:alicepwd')}`, holder: null }]) },
);

const apiKeyLines: fc.Arbitrary<Lines> = fc.oneof(
  validOrMutated(FUZZ_API_KEY, 'ci-bot').map((c) => [{ name: 'X-API-Key', value: c.value, holder: c.holder }]),
  fc.tuple(fc.constantFrom(FUZZ_API_KEY, 'other'), valueString()).map(([a, b]) => [
    { name: 'X-API-Key', value: a, holder: null },
    { name: 'x-api-key', value: b, holder: null },
  ]),
);

const cookiePair = fc.oneof(
  fc.constant({ text: SESSION, holder: 'carol' as string | null }),
  fc.constant({ text: TAMPERED_SESSION, holder: null }),
  fc
    .tuple(
      fc.constantFrom('id', 'ID', '__Host-id', '__Secure-id', '__host-id', 'connect.sid', 'koa.sess', 'a', ' id', 'id '),
      fc.constantFrom('=', '=', '==', ''),
      fc.oneof(valueString(16), fc.constantFrom('%ZZ', '%E0%A4%A', '%00', '%', '%25', '%C0%AF', 's%3Aabc.def', '"quoted"', 'a=b', '\u00ff\u00fe')),
    )
    .map(([n, eq, v]) => ({ text: `${n}${eq}${v}`, holder: null })),
);

/** `Cookie` lines: several pairs, odd separators, sometimes repeated lines (joined by `; ` on Node, `, ` on the Web: CK-05). */
const cookieLines: fc.Arbitrary<Lines> = fc
  .tuple(
    fc.array(fc.array(cookiePair, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 2 }),
    fc.constantFrom('; ', ';', ', ', ' ; '),
  )
  .map(([lines, sep]) => {
    // Cookies are not refused when repeated (the first of a name wins, CK-05): carrying carol's cookie anywhere may make the request carol.
    return lines.map((line) => ({
      name: 'Cookie',
      value: line.map((p) => p.text).join(sep),
      holder: line.find((p) => p.holder !== null)?.holder ?? null,
    }));
  });

const acceptLines: fc.Arbitrary<Lines> = fc
  .constantFrom('text/html,application/xhtml+xml,*/*;q=0.8', 'application/json', 'application/json, text/html', '*/*', 'TEXT/HTML', 'text/htm')
  .map((value) => [{ name: 'Accept', value, holder: null }]);

/** Headers that must not change a decision: forwarded hosts, a hostile Referer, Sec-Fetch-Site. */
const noiseLines: fc.Arbitrary<Lines> = fc
  .constantFrom(
    ['X-Forwarded-Host', 'evil.example'],
    ['X-Forwarded-Proto', 'https'],
    ['Referer', 'https://evil.example/phish'],
    ['Sec-Fetch-Site', 'cross-site'],
    ['Sec-Fetch-Site', 'same-origin'],
    ['Origin', 'https://evil.example'],
  )
  .map(([name, value]) => [{ name, value, holder: null }]);

// ---------------------------------------------------------------------------
// Request line
// ---------------------------------------------------------------------------

/** Methods every runtime's HTTP parser accepts (CONNECT is left out: Node hands it to a `connect` listener, not the app). */
export const FUZZ_METHODS: readonly string[] = ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

const method = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('GET', 'POST') }, { weight: 2, arbitrary: fc.constantFrom(...FUZZ_METHODS) });

/** Paths near the routes: encoded dots and slashes, case, trailing slashes, dot segments. */
const path: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(FUZZ_ROUTES.open, FUZZ_ROUTES.guarded, FUZZ_ROUTES.account, FUZZ_ROUTES.login) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.constantFrom('guarded', 'account', 'login', 'open'),
        fc.constantFrom('/%2e/', '/./', '/open/../', '/open/%2e%2e/', '/%2F', '//', '/%2f/', '/.%2e/', '/x/..%2F', '/%5C'),
        fc.constantFrom('', '/', '%2F', '/.', ';x', '%00', '%', '%2e', '..', '%3F'),
      )
      .map(([name, prefix, suffix]) => `${prefix}${name}${suffix}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('/GUARDED', '/gu%61rded', '/%67uarded', '/guarded%20', '/', '/nope', '/%', '/%E0%A4%A', '/\u00e9') },
);

/** `next` values: the RED rows' building blocks, in any order, percent-encoded or not. */
const nextValue: fc.Arbitrary<string> = fc
  .array(
    fc.constantFrom(
      '/', '//', '\\', '%2F', '%2f', '%5C', '%09', '%0D%0A', '%00', '%20', ' ', '.', '..', '%2e%2e', 'evil.example', 'app.example', '@', '%40',
      ':', '%3A', 'https:', 'http:', 'javascript:', 'JaVaScRiPt%3A', 'data:text/html,', 'alert(1)', '?', '%3F', '#', '%23', 'a', 'dashboard',
      '%E2%80%AE', '%C3%A9', '%', '%%', '&next=//evil.example', 'login', '%2Flogin',
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(''));

const query: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  { weight: 4, arbitrary: nextValue.map((n) => `?next=${n}`) },
  { weight: 1, arbitrary: fc.tuple(nextValue, nextValue).map(([a, b]) => `?next=${a}&next=${b}`) },
  { weight: 1, arbitrary: fc.constantFrom('?access_token=x', `?api_key=${FUZZ_API_KEY}`, '?x=1', '?', '?next=' + '%2Fa'.repeat(700)) },
);

/**
 * A hostile request: any mix of the header sets above on a path near the routes.
 *
 * @example
 * ```ts
 * fc.sample(hostileRequest, 3).forEach((r) => console.log(describeRequest(r)));
 * ```
 */
export const hostileRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    method,
    path,
    query,
    sets: fc.array(fc.oneof(
      { weight: 5, arbitrary: authorizationLines },
      { weight: 2, arbitrary: apiKeyLines },
      { weight: 3, arbitrary: cookieLines },
      { weight: 2, arbitrary: acceptLines },
      { weight: 1, arbitrary: noiseLines },
    ), { maxLength: 3 }),
  })
  .map(({ method, path, query, sets }) => {
    const all = sets.flat();
    // workerd drops an empty first Authorization line before the app sees it (and joins a later one as `X, `),
    // so no code of ours can tell it was there: repeated lines are never empty.
    const auth = all.filter((l) => l.name.toLowerCase() === 'authorization').length;
    const lines = auth < 2 ? all : all.filter((l) => l.name.toLowerCase() !== 'authorization' || l.value.trim() !== '');
    // Two header sets of the same kind repeat that field, which is refused: neither copy counts (cookies aside).
    const counts = new Map<string, number>();
    for (const l of lines) counts.set(l.name.toLowerCase(), (counts.get(l.name.toLowerCase()) ?? 0) + 1);
    const once = (name: string) => name.toLowerCase() === 'cookie' || counts.get(name.toLowerCase()) === 1;
    const holders = lines.filter((l) => l.holder !== null && once(l.name)).map((l) => l.holder as string);
    const request: FuzzRequest = {
      method,
      // Spaces, controls and non-ASCII are not allowed in a request-target: every HTTP parser refuses them before the app runs.
      target: `${path}${query}`.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c)),
      headers: lines.map((l) => [l.name, l.value] as const),
      holders: [...new Set(holders)],
    };
    // fast-check prints counterexamples with this: readable, long values abbreviated.
    return Object.defineProperty(request, fc.toStringMethod, { value: () => `\n${describeRequest(request)}` });
  });

/**
 * The request in a failure report: printable, credentials as sent, long values abbreviated.
 *
 * @example
 * ```ts
 * describeRequest({ method: 'GET', target: '/open', headers: [['Authorization', 'Token abcd']], holders: ['bob'] });
 * ```
 */
export function describeRequest(request: FuzzRequest): string {
  const show = (s: string) => JSON.stringify(s.length > 200 ? `${s.slice(0, 100)}…(${s.length} chars)…${s.slice(-20)}` : s);
  return [`${request.method} ${show(request.target)}`, ...request.headers.map(([n, v]) => `  ${n}: ${show(v.replace(SESSION, '<session>').replace(TAMPERED_SESSION, '<tampered session>'))}`), `  holders: ${JSON.stringify(request.holders)}`].join('\n');
}
