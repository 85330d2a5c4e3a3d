// The normaliser and the oracle of the differential fuzzer: what a request's
// answers from every adapter must satisfy. Web standards only.
import type { RawResponse } from '../raw.js';
import { FUZZ_ROUTES, ROUTE_HEADER, USER_HEADER } from './app.js';
import type { FuzzRequest } from './arbitraries.js';

/** Who produced an answer: Portcullis's decision table, the app's handler, or the framework/runtime itself. */
export type AnswerKind = 'portcullis' | 'handler' | 'framework';

/** An answer, reduced to what the adapters must agree on. */
export interface NormalizedAnswer {
  /** Who answered: the handler, Portcullis or the framework. */
  readonly kind: AnswerKind;
  /** The status code. */
  readonly status: number;
  /** The `WWW-Authenticate` values, joined. */
  readonly wwwAuthenticate: string | undefined;
  /** The `Cache-Control` values, joined. */
  readonly cacheControl: string | undefined;
  /** The `Location` of a redirect. */
  readonly location: string | undefined;
  /** The body. */
  readonly body: string;
  /** Handler answers: the route that ran and its authenticated user (`''` for anonymous). */
  readonly route: string | undefined;
  /** The authenticated user of a handler answer (`''` for anonymous). */
  readonly user: string | undefined;
  /** Every header value but `Set-Cookie`, for the leak checks. */
  readonly headerText: string;
}

/** Repeated fields of one name, joined with `, ` (RFC 9110 §5.3). */
function joined(response: RawResponse, name: string): string | undefined {
  const values = response.headers.filter(([n]) => n === name).map(([, v]) => v);
  return values.length === 0 ? undefined : values.join(', ');
}

/**
 * Reduces a raw answer. Handler answers carry `x-fuzz-route`; Portcullis's own
 * answers (challenges, denials, redirects, store outages) carry `Cache-Control:
 * no-store`; anything else is the framework's or the runtime's (its 404 page, its
 * 405, its 431 for oversized heads).
 *
 * @example
 * ```ts
 * normalize(await rawRequest(port, ['GET /guarded HTTP/1.1', 'Host: app.example'])).kind; // 'portcullis'
 * ```
 */
export function normalize(response: RawResponse): NormalizedAnswer {
  const route = response.header(ROUTE_HEADER);
  const cacheControl = joined(response, 'cache-control');
  const kind: AnswerKind = route !== undefined ? 'handler' : cacheControl?.includes('no-store') ? 'portcullis' : 'framework';
  const user = response.header(USER_HEADER);
  return {
    kind,
    status: response.status,
    wwwAuthenticate: joined(response, 'www-authenticate'),
    cacheControl,
    location: joined(response, 'location'),
    body: response.body,
    route,
    user: user === undefined ? undefined : safeDecode(user),
    headerText: response.headers.filter(([n]) => n !== 'set-cookie').map(([n, v]) => `${n}: ${v}`).join('\n'),
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The paths the fuzz app routes, as written. */
const LITERAL_PATHS: ReadonlySet<string> = new Set(Object.values(FUZZ_ROUTES));

/** Routes a guard protects: their handler must never run for an anonymous request. */
const GUARDED_ROUTES = new Set(['guarded', 'account', 'login']);

/** Signs of an internal error escaping: a stack frame, a runtime or library error name or message. */
const INTERNALS = [
  /\n\s+at \S/,
  /\bat (?:async )?[\w.<>]+ \(/,
  /[\w/\\-]+\.(?:[cm]?[jt]s):\d+/,
  /node_modules/,
  /\b(?:TypeError|SyntaxError|RangeError|ReferenceError|URIError|AggregateError)\b/,
  /\bJW[STEK][A-Z][A-Za-z]+\b/, // jose's error classes (JWSInvalid, JWTExpired…)
  /\bERR_[A-Z_]+\b/,
  /\bECONN[A-Z]+\b/,
  /Unexpected (?:token|end of JSON)/,
  /Internal Server Error/,
];

/** Credential-bearing parts of the request: values that must never come back. */
function secretsOf(request: FuzzRequest, sessions: readonly string[]): string[] {
  const out: string[] = [...sessions.map((s) => s.slice(s.indexOf('=') + 1))];
  for (const [name, value] of request.headers) {
    const n = name.toLowerCase();
    if (n === 'authorization' || n === 'proxy-authorization') {
      // The credential after the scheme (a bare scheme name is no secret: challenges name it).
      const credential = value.trim().split(/[ \t]+/).slice(1).join(' ');
      if (credential !== '') out.push(credential, value.trim());
    } else if (n === 'x-api-key') out.push(value.trim());
    else if (n === 'cookie') for (const pair of value.split(/[;,]/)) out.push(pair.slice(pair.indexOf('=') + 1).trim());
  }
  // Short values could appear by chance in a fixed body ("Bad Request"); six characters cannot, with the fuzzer's alphabets.
  return [...new Set(out)].filter((s) => s.length >= 6);
}

/** A `Location` the app may send: a same-origin path, never network-path, backslash or control characters. */
function isSafeLocation(location: string): boolean {
  if (!location.startsWith('/') || location.startsWith('//') || /[\u0000-\u001f\u007f\\]/.test(location)) return false;
  let url: URL;
  try {
    url = new URL(location, 'https://app.example/login');
  } catch {
    return false;
  }
  if (url.origin !== 'https://app.example') return false;
  // The `next` a login redirect carries must itself be a safe target.
  if (url.pathname === '/login' && url.searchParams.has('next')) return isSafeLocation(url.searchParams.get('next') as string);
  return true;
}

/** The one scheme of every `Authorization` value of the request, lower-cased; `undefined` when they differ. */
function schemeOf(request: FuzzRequest): string | undefined {
  // Every non-empty `,`-separated part of every Authorization line: with parts of two
  // schemes, the first backend of the chain that reads one of them answers (docs/errors.md),
  // so only a request whose parts are all Bearer is a Bearer request for the oracle.
  const schemes = new Set<string>();
  for (const [name, value] of request.headers) {
    if (name.toLowerCase() !== 'authorization') continue;
    for (const part of value.split(',')) {
      const scheme = part.trim().split(/[ \t]/)[0]?.toLowerCase();
      if (scheme) schemes.add(scheme);
    }
  }
  return schemes.size === 1 ? [...schemes][0] : undefined;
}

/** What may legitimately differ between answers of one kind. */
function comparable(answer: NormalizedAnswer, request: FuzzRequest): unknown {
  // 431: the runtime's header limit (Node's 16 KiB) or the core's cap, whichever comes first (DOS-03).
  if (answer.status === 431) return { status: 431 };
  switch (answer.kind) {
    case 'portcullis':
      return {
        kind: answer.kind,
        status: answer.status,
        wwwAuthenticate: answer.wwwAuthenticate,
        cacheControl: answer.cacheControl,
        location: answer.location,
        // HEAD answers have no body on any runtime.
        body: request.method === 'HEAD' ? '' : answer.body,
      };
    case 'handler':
      return { kind: answer.kind, status: answer.status, route: answer.route, user: answer.user, location: answer.location };
    case 'framework':
      // A request no route takes: Express and Hono answer 404, Koa's allowedMethods() 405 (or 501 for a
      // method the router does not know); OPTIONS gets each framework's own automatic answer. Not Portcullis's to unify.
      if (request.method === 'OPTIONS') return { kind: answer.kind, status: 'automatic OPTIONS answer' };
      if (answer.status === 404 || answer.status === 405) return { kind: answer.kind, status: 'not routed' };
      return { kind: answer.kind, status: answer.status };
  }
}

/** Options of {@link checkAnswers}. */
export interface OracleOptions {
  /**
   * Adapters whose non-Portcullis answers to HEAD are not compared: for a framework
   * whose own HEAD handling is broken (`@hono/node-server` 1.x answered HEAD to a
   * `c.text()` route with 500; the suite pins 2.x, which does not, and checks it).
   */
  readonly headUnchecked?: (adapter: string) => boolean;
  /** Each adapter's valid session cookie (`name=value`): it must never come back in a body. */
  readonly sessionCookies?: readonly string[];
}

/**
 * Checks one request's answers from every adapter and returns the problems
 * found (empty: fine): no 5xx, no leak, no open redirect, no access by anyone
 * whose valid credential was not sent, Bearer's 400 challenge, and identical
 * answers across adapters.
 *
 * @example
 * ```ts
 * const answers = new Map(await Promise.all(targets.map(async (t) => [t.name, normalize(await send(t, request))] as const)));
 * const problems = checkAnswers(request, answers);
 * if (problems.length > 0) throw new Error(problems.join('\n'));
 * ```
 */
export function checkAnswers(request: FuzzRequest, answers: ReadonlyMap<string, NormalizedAnswer>, options: OracleOptions = {}): string[] {
  const problems: string[] = [];
  const secrets = secretsOf(request, options.sessionCookies ?? []);
  const checked = new Map<string, NormalizedAnswer>();
  for (const [adapter, a] of answers) {
    const skip = request.method === 'HEAD' && a.kind !== 'portcullis' && (options.headUnchecked?.(adapter) ?? false);
    if (skip) continue;
    checked.set(adapter, a);
    if (a.status >= 500) problems.push(`${adapter}: ${a.status} (${a.kind})`);
    const text = `${a.headerText}\n${a.body}`;
    for (const pattern of INTERNALS) if (pattern.test(text)) problems.push(`${adapter}: internals leak (${pattern}) in a ${a.kind} answer`);
    for (const secret of secrets) if (text.includes(secret)) problems.push(`${adapter}: a credential of the request is echoed in a ${a.kind} answer`);
    if (a.location !== undefined && !isSafeLocation(a.location)) problems.push(`${adapter}: unsafe Location ${JSON.stringify(a.location)}`);
    if (a.kind === 'handler') {
      const user = a.user ?? '';
      if (GUARDED_ROUTES.has(a.route ?? '') && user === '') problems.push(`${adapter}: anonymous access to the guarded route ${a.route}`);
      if (user !== '' && !request.holders.includes(user)) {
        problems.push(`${adapter}: handler ran as ${JSON.stringify(user)}, whose valid credential the request does not carry (holders ${JSON.stringify(request.holders)})`);
      }
    }
    // RFC 6750 §3.1 / policy 2: a malformed Bearer header answers 400 with the invalid_request challenge.
    if (a.kind === 'portcullis' && a.status === 400 && schemeOf(request) === 'bearer' && !/error="invalid_request"/.test(a.wwwAuthenticate ?? '')) {
      problems.push(`${adapter}: 400 to a Bearer request without WWW-Authenticate: Bearer error="invalid_request"`);
    }
  }
  // On a path that is not literally a route's ('/GUARDED', '/guarded/', '//guarded'), frameworks disagree on whether
  // it routes (Express and Koa match case-insensitively and ignore a trailing slash; Hono and the reference do not).
  // Every answer was checked alone above; those that routed must still agree with each other.
  const literal = LITERAL_PATHS.has(request.target.replace(/\?.*$/, ''));
  // A runtime's own 431 (Node refuses heads over 16 KiB before any app code runs, DOS-03): runtimes with a higher
  // limit let Portcullis answer, and any 4xx of Portcullis is as good (the CSRF gate may come before the size cap).
  const runtimeRefused = [...checked.values()].some((a) => a.kind === 'framework' && a.status === 431);
  const shapes = new Map<string, string[]>();
  for (const [adapter, a] of checked) {
    if (!literal && a.kind === 'framework' && (a.status === 404 || a.status === 405)) continue;
    const refused = runtimeRefused && a.status >= 400 && a.status < 500 && (a.kind === 'portcullis' || a.status === 431);
    const key = JSON.stringify(refused ? { refused: '4xx before the app' } : comparable(a, request));
    shapes.set(key, [...(shapes.get(key) ?? []), adapter]);
  }
  if (shapes.size > 1) {
    problems.push(`answers differ across adapters:\n${[...shapes].map(([shape, names]) => `    ${names.join(', ')}: ${shape}`).join('\n')}`);
  }
  return problems;
}
