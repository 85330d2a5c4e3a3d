import { describe, expect, it } from 'vitest';
import { LINEAR_BOUND, growthAt } from '../../test-support/growth.js';
import { apiKeyAuth } from './api-key.js';
import { MAX_AUTHORIZATION_LENGTH, decodeBase64Strict, readAuthorization } from './authorization.js';
import { escapeForLog } from './authenticator.js';
import { parseBasic } from './basic.js';
import { bearerScheme } from './bearer.js';
import { parseCookies, type Connection } from './connection.js';
import { isAuthenticationError } from './errors.js';
import { isBrowserNavigation, prefersJson } from './response.js';
import { safeNext } from './safe-next.js';
import type { CsrfConfig } from './session/config.js';
import { csrfAllows, formField, isUrlencoded } from './session/csrf.js';
import type { SessionPort } from './session/port.js';
import { isSecureRequest } from './session/web-session.js';
import { tokenAuth } from './token.js';
import { SimpleUser } from './user.js';
import { conn as connection } from '../../test-support/connection.js';

/**
 * Every parser of request input is linear in its input (DESIGN, security rules).
 * Each case feeds a parser its worst inputs at the size cap and at an 8th of it;
 * `growth` bounds the ratio of their costs (see test-support/growth.ts). A
 * quadratic parser (the old `/^[ \t]+|[ \t]+$/g` trim of `Authorization`) costs
 * about 64× more at the cap and fails by far.
 */

const CAP = MAX_AUTHORIZATION_LENGTH;
/** Node's default cap on all header fields together (a larger request gets 431). */
const HEADER_CAP = 16 * 1024;
/** The form body cap of the login and token endpoints (DOS-08). */
const FORM_CAP = 16 * 1024;

const spaces = (n: number): string => ' '.repeat(Math.max(0, n));
const fill = (unit: string, n: number): string => unit.repeat(Math.max(1, Math.floor(n / unit.length)));

const conn = (headers: Record<string, string>, target = '/', method = 'GET', authorization?: string[]): Connection =>
  connection({ headers, target, method, authorization, now: Date.now });
const withAuthorization = (value: string): Connection => conn({ authorization: value });

/** Runs a parser that may throw an `AuthenticationError`: refusing is a result too. */
function attempt(run: () => unknown): unknown {
  try {
    return run();
  } catch (error) {
    if (isAuthenticationError(error)) return error.code;
    throw error;
  }
}

const linear = (cap: number, make: (size: number) => string, parse: (input: string) => unknown): void => {
  expect(growthAt(cap, make, parse)).toBeLessThan(LINEAR_BOUND);
};

/** Worst `Authorization` shapes for a scheme: runs of OWS, of padding, of separators, a bad last character. */
function authorizationShapes(scheme: string): [string, (n: number) => string][] {
  return [
    ['spaces between the scheme and one character', (n) => `${scheme}${spaces(n - scheme.length - 1)}x`],
    ['spaces, then a character, then spaces', (n) => ` ${scheme}${spaces(n / 2)}x${spaces(n / 2 - scheme.length - 2)}`],
    ['TABs and spaces around the value', (n) => `\t ${scheme} ${fill(' \t', n - scheme.length - 4)}x`],
    ['spaces only after the scheme', (n) => `${scheme}${spaces(n - scheme.length)}`],
    ['token characters then a bad one', (n) => `${scheme} ${'A'.repeat(n - scheme.length - 2)}!`],
    ['padding then a bad one', (n) => `${scheme} A${'='.repeat(n - scheme.length - 3)}!`],
    ['groups of four then a bad one', (n) => `${scheme} ${fill('AAAA', n - scheme.length - 3)}A=`],
    ['a ", "-joined run (duplicates)', (n) => fill(`${scheme} a, `, n)],
    ['commas and spaces', (n) => `${scheme} ${fill(', ', n - scheme.length - 1)}`],
  ];
}

describe('linear-time parsers: Authorization of each scheme (at the 8,192-character cap)', () => {
  for (const [name, make] of authorizationShapes('Basic')) {
    it(`parseBasic: ${name}`, () => linear(CAP, make, (v) => attempt(() => parseBasic(withAuthorization(v)))));
  }

  it('readAuthorization: repeated field lines, each a run of spaces (Node rawHeaders)', () => {
    linear(HEADER_CAP, (n) => fill(' ', n), (v) => attempt(() => readAuthorization(conn({}, '/', 'GET', [v, v]), 'basic')));
  });

  it('decodeBase64Strict: a canonical token and one with a bad last group', () => {
    linear(CAP, (n) => fill('QUJD', n), (v) => decodeBase64Strict(v));
    linear(CAP, (n) => `${fill('QUJD', n)}Q===`, (v) => decodeBase64Strict(v));
  });

  const token = tokenAuth({ verify: () => null });
  for (const [name, make] of authorizationShapes('Token')) {
    it(`tokenAuth: ${name}`, () => linear(CAP, make, (v) => attempt(() => token.authenticate(withAuthorization(v)))));
  }

  const bearer = bearerScheme('api');
  for (const [name, make] of authorizationShapes('Bearer')) {
    it(`bearerScheme.read: ${name}`, () => linear(CAP, make, (v) => attempt(() => bearer.read(withAuthorization(v)))));
  }

  it('DOS-04 bearerScheme.read: an over-long Bearer value of spaces is answered without super-linear work', () => {
    linear(HEADER_CAP, (n) => `${spaces(n / 2)}Bearer${spaces(n / 2)}x`, (v) => attempt(() => bearer.read(withAuthorization(v))));
  });
});

describe('linear-time parsers: API keys', () => {
  const backend = apiKeyAuth({ header: 'x-api-key', query: 'api_key', verify: () => null });
  const read = (c: Connection): unknown => attempt(() => backend.authenticate(c));

  it('a header of spaces around one character, and of commas', () => {
    linear(CAP, (n) => `${spaces(n / 2)}x${spaces(n / 2)}`, (v) => read(conn({ 'x-api-key': v })));
    linear(CAP, (n) => fill('a,', n), (v) => read(conn({ 'x-api-key': v })));
  });

  it('a query string of separators, of repeated names and of bad escapes', () => {
    for (const unit of ['&', 'api_key=', '%', 'api_key=%zz&', '+']) {
      linear(CAP, (n) => fill(unit, n), (q) => read(conn({}, `/?${q}`)));
    }
  });
});

describe('linear-time parsers: Cookie (at the 16 KiB header cap)', () => {
  const shapes: [string, string][] = [
    ['separators', ';'],
    ['", " joins without a following name', ', '],
    ['", " joins before long names without "="', ', aaaaaaaaaaaaaaaa'],
    ['Web-joined pairs', 'a=b, '],
    ['one long name', 'a'],
    ['spaces', ' '],
    ['quotes', '"'],
    ['percent signs', '%'],
    ['bad escapes', 'a=%zz;'],
    ['repeated names', 'a=1;'],
    ['equals signs', '='],
  ];
  for (const [name, unit] of shapes) {
    it(`parseCookies: ${name}`, () => linear(HEADER_CAP, (n) => fill(unit, n), (v) => parseCookies(v)));
  }

  it('parseCookies: a quoted value, and one long value after many pairs', () => {
    linear(HEADER_CAP, (n) => `a="${'x'.repeat(n - 5)}"`, (v) => parseCookies(v));
    linear(HEADER_CAP, (n) => `${fill('k=v; ', n / 2)}z=${'%41'.repeat(n / 6)}`, (v) => parseCookies(v));
  });
});

describe('linear-time parsers: Accept', () => {
  for (const [name, unit] of [
    ['almost application/json', 'application/jso'],
    ['almost text/html', 'text/htm, '],
    ['spaces', ' '],
  ] as const) {
    it(`prefersJson and isBrowserNavigation: ${name}`, () => {
      linear(HEADER_CAP, (n) => fill(unit, n), (v) => prefersJson(conn({ accept: v })));
      linear(HEADER_CAP, (n) => fill(unit, n), (v) => isBrowserNavigation(conn({ accept: v })));
    });
  }
});

describe('linear-time parsers: Origin and Sec-Fetch-Site (CSRF)', () => {
  const port = { hasCookie: true } as SessionPort;
  const csrf: CsrfConfig = { origins: ['https://app.example'], allowSameSite: false, header: 'x-csrf-token', field: '_csrf' };
  const allows = (headers: Record<string, string>): unknown => {
    // The Origin and Sec-Fetch-Site checks run before the first await.
    const result = csrfAllows(conn({ host: 'app.example', ...headers }, '/', 'POST'), port, csrf, () => undefined);
    result.catch(() => {});
    return result;
  };

  it('an Origin of spaces, of a long host, of slashes and of dots', () => {
    linear(HEADER_CAP, (n) => `${spaces(n / 2)}https://app.example${spaces(n / 2)}`, (v) => allows({ origin: v }));
    linear(HEADER_CAP, (n) => `https://${'a'.repeat(n - 8)}`, (v) => allows({ origin: v }));
    linear(HEADER_CAP, (n) => `https://app.example${fill('/', n)}`, (v) => allows({ origin: v }));
    linear(HEADER_CAP, (n) => `https://${fill('a.', n)}`, (v) => allows({ origin: v }));
  });

  it('a Sec-Fetch-Site of spaces around a value, and a long unknown value', () => {
    linear(HEADER_CAP, (n) => `${spaces(n / 2)}same-origin${spaces(n / 2)}`, (v) => allows({ 'sec-fetch-site': v }));
    linear(HEADER_CAP, (n) => fill('cross-site', n), (v) => allows({ origin: 'https://app.example', 'sec-fetch-site': v }));
  });

  it('a Host of spaces around a value', () => {
    linear(HEADER_CAP, (n) => `${spaces(n / 2)}app.example${spaces(n / 2)}`, (v) => allows({ origin: 'https://app.example', host: v }));
  });
});

describe('linear-time parsers: X-Forwarded-Proto (Hono and Web sessions)', () => {
  for (const [name, unit] of [['commas', ','], ['spaces', ' '], ['"https, " repeated', 'https, ']] as const) {
    it(`isSecureRequest: ${name}`, () => {
      linear(HEADER_CAP, (n) => fill(unit, n), (v) => isSecureRequest('http://app.example/', v, true));
    });
  }
});

describe('linear-time parsers: next (2,048-character cap)', () => {
  const NEXT_CAP = 2048;
  for (const [name, unit] of [
    ['dot segments', '/..'],
    ['encoded dot segments', '/%2e%2e'],
    ['slashes after the first', '/a/'],
    ['question marks', '?'],
    ['fragments', '#'],
    ['percent signs', '%'],
    ['backslashes', '\\'],
  ] as const) {
    it(`safeNext: ${name}`, () => {
      linear(NEXT_CAP, (n) => `/${fill(unit, n - 1)}`, (v) => safeNext(v, '/', { avoid: ['/login'] }));
    });
  }

  it('safeNext: absolute URLs against allowed origins', () => {
    const options = { allowedOrigins: ['https://accounts.example'] };
    linear(NEXT_CAP, (n) => `https://accounts.example/${'a'.repeat(n - 25)}`, (v) => safeNext(v, '/', options));
    linear(NEXT_CAP, (n) => `https://${fill('a.', n - 8)}`, (v) => safeNext(v, '/', options));
  });
});

describe('linear-time parsers: request targets and log lines', () => {
  it('an absolute-form target with a run of "#" before a line break', () => {
    linear(HEADER_CAP, (n) => `http://app.example/${fill('#', n - 20)}\n`, (v) => conn({}, v).path);
  });

  it('an absolute-form target with a long scheme and authority', () => {
    linear(HEADER_CAP, (n) => `${'a'.repeat(n / 2)}://${'b'.repeat(n / 2)}`, (v) => conn({}, v).path);
  });

  it('escapeForLog: control characters and backslashes', () => {
    linear(HEADER_CAP, (n) => fill('\r\n\\\u0000', n), (v) => escapeForLog(v));
  });
});

describe('linear-time parsers: form bodies (login and CSRF field, 16 KiB)', () => {
  const FORM = 'application/x-www-form-urlencoded';
  for (const [name, unit] of [
    ['separators', '&'],
    ['repeated fields', '_csrf=a&'],
    ['bad escapes', '%'],
    ['escaped pluses', '+%2B'],
    ['names without values', 'x&'],
  ] as const) {
    it(`formField: ${name}`, () => linear(FORM_CAP, (n) => fill(unit, n), (v) => formField(FORM, v, '_csrf')));
  }

  it('isUrlencoded: a Content-Type of parameters and of spaces', () => {
    linear(HEADER_CAP, (n) => `${FORM}${fill('; a=b', n)}`, (v) => isUrlencoded(v));
    linear(HEADER_CAP, (n) => `${spaces(n / 2)}${FORM}${spaces(n / 2)};`, (v) => isUrlencoded(v));
    linear(HEADER_CAP, (n) => fill(';', n), (v) => isUrlencoded(v));
  });

  it('the user type is irrelevant to parsing (sanity: a principal is never built here)', () => {
    expect(new SimpleUser('a').isAuthenticated).toBe(true);
  });
});
