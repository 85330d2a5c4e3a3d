import { describe, it, expect } from 'vitest';
import {
  MAX_AUTHORIZATION_LENGTH,
  decodeBase64Strict,
  decodeUtf8Strict,
  hasControlCharacters,
  quoteRealm,
  readAuthorization,
} from './authorization.js';
import type { Connection } from './connection.js';
import { AuthenticationError } from './errors.js';
import { codeThrown, conn as connection } from '../../test-support/connection.js';

const conn = (headers: Record<string, string> = {}, authorization?: string[]): Connection => connection({ headers, authorization });
const codeOf = (fn: () => unknown): string => codeThrown(fn, AuthenticationError);

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const text = (u: Uint8Array | null): string | null => (u === null ? null : new TextDecoder().decode(u));

describe('readAuthorization', () => {
  it('returns null when there is no Authorization header', () => {
    expect(readAuthorization(conn())).toBeNull();
  });

  it('BAS-03 the scheme is case-insensitive and returned in lower case', () => {
    for (const scheme of ['Basic', 'basic', 'BASIC', 'bAsIc']) {
      expect(readAuthorization(conn({ authorization: `${scheme} dXNlcjpwYXNz` }))).toEqual({
        scheme: 'basic',
        credentials: 'dXNlcjpwYXNz',
      });
    }
  });

  it('BAS-03 BAS-04 a backend naming its scheme gets the same answer as without one (the scheme scanned by index)', () => {
    // The backend's own scheme is recognised in any case without building a string; every
    // near miss (longer, shorter, another tchar, a non-ASCII letter) reads as it always did.
    const values = ['Basic x', 'BASIC x', 'bAsIc x', 'Basicx x', 'Basi x', 'Ba-ic x', 'B@sic x', 'Bâsic x', 'Token t', 'TOKEN t', 'tokeN', 'Bearer a.b.c',
      'BEARER a', 'Bearer\ta', '  Basic   x  ', 'x-Token1 t', "!#$%&'*+-.^_`|~ x", 'K x', '\u212Aasic x', '=x'];
    for (const value of values) {
      const plain = readAuthorization(conn({ authorization: value }));
      for (const scheme of ['basic', 'token', 'bearer', 'x-token1']) expect(readAuthorization(conn({ authorization: value }), scheme), `${value} / ${scheme}`).toEqual(plain);
    }
    expect(readAuthorization(conn({ authorization: 'bAsIc x' }), 'basic')).toEqual({ scheme: 'basic', credentials: 'x' });
    expect(readAuthorization(conn({ authorization: 'B@sic x' }), 'basic')).toEqual({ scheme: 'b', credentials: undefined });
  });

  it('BAS-03 BAS-04 the scheme compared in place answers as the scan does, over generated values', () => {
    // The expected scheme is compared before any scan (issue #17): over values made of the
    // characters that matter (letters of both cases, other tchars, separators, white space,
    // non-ASCII look-alikes), every answer equals the answer without an expected scheme.
    let seed = 17;
    const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
    const alphabet = ['b', 'B', 'a', 'A', 's', 'S', 'i', 'I', 'c', 'C', 't', 'T', 'o', 'O', 'k', 'K', 'e', 'E', 'n', 'N', 'r', 'R', '-', '1', '!', '~',
      ' ', ' ', '\t', '=', '@', '"', '/', '\u212A', '\u00e2', 'x'];
    const schemes = ['basic', 'token', 'bearer', 'x-token1', 'k', 'b!'];
    for (let n = 0; n < 4000; n++) {
      const prefix = random(2) === 0 ? (schemes[random(schemes.length)] as string).split('').map((c) => (random(2) === 0 ? c.toUpperCase() : c)).join('') : '';
      let value = random(4) === 0 ? ' ' + prefix : prefix;
      for (let k = random(8); k > 0; k--) value += alphabet[random(alphabet.length)];
      const plain = readAuthorization(conn({ authorization: value }));
      for (const scheme of schemes) expect(readAuthorization(conn({ authorization: value }), scheme), `${JSON.stringify(value)} / ${scheme}`).toEqual(plain);
    }
  });

  it('BAS-04 a scheme is matched as a whole token, not as a substring', () => {
    expect(readAuthorization(conn({ authorization: 'NotBasic dXNlcjpwYXNz' }))?.scheme).toBe('notbasic');
    expect(readAuthorization(conn({ authorization: 'Basicx dXNlcjpwYXNz' }))?.scheme).toBe('basicx');
    expect(readAuthorization(conn({ authorization: 'XBasic dXNlcjpwYXNz' }))?.scheme).toBe('xbasic');
  });

  it('BAS-04 "Basic" and "Basic " have the scheme and empty credentials', () => {
    expect(readAuthorization(conn({ authorization: 'Basic' }))).toEqual({ scheme: 'basic', credentials: '' });
    expect(readAuthorization(conn({ authorization: 'Basic ' }))).toEqual({ scheme: 'basic', credentials: '' });
  });

  it('BAS-05 several spaces after the scheme and spaces around the value are accepted', () => {
    expect(readAuthorization(conn({ authorization: 'Basic  dXNlcjpwYXNz' }))?.credentials).toBe('dXNlcjpwYXNz');
    expect(readAuthorization(conn({ authorization: ' Basic dXNlcjpwYXNz ' }))?.credentials).toBe('dXNlcjpwYXNz');
  });

  it('BAS-05 a TAB between scheme and credentials leaves the credentials unusable', () => {
    expect(readAuthorization(conn({ authorization: 'Basic\tdXNlcjpwYXNz' }))).toEqual({
      scheme: 'basic',
      credentials: undefined,
    });
  });

  it('BAS-15 two Authorization field lines give duplicate_authorization', () => {
    const c = conn({}, ['Basic dXNlcjpwYXNz', 'Basic dXNlcjpwYXNz']);
    expect(codeOf(() => readAuthorization(c))).toBe('duplicate_authorization');
  });

  it('BAS-15 a ", "-joined value (Web Headers.get) gives duplicate_authorization', () => {
    const joined = conn({ authorization: 'Basic dXNlcjpwYXNz, Basic dXNlcjpwYXNz' });
    expect(codeOf(() => readAuthorization(joined))).toBe('duplicate_authorization');
    const mixed = conn({}, ['Bearer a, Basic dXNlcjpwYXNz']);
    expect(codeOf(() => readAuthorization(mixed))).toBe('duplicate_authorization');
  });

  it('BAS-16 a value above the cap gives oversized_authorization', () => {
    expect(codeOf(() => readAuthorization(conn({ authorization: 'Basic ' + 'A'.repeat(17_000) })))).toBe(
      'oversized_authorization',
    );
    const over = 'Basic ' + 'A'.repeat(MAX_AUTHORIZATION_LENGTH - 5);
    expect(over.length).toBe(MAX_AUTHORIZATION_LENGTH + 1);
    expect(codeOf(() => readAuthorization(conn({ authorization: over })))).toBe('oversized_authorization');
  });

  it('BAS-15 BAS-16 repeated lines answer as their ", "-joined Web value does: oversized when the join is over the cap', () => {
    // Found by the differential fuzzer: Node adapters saw two lines (duplicate → 400), Web runtimes one
    // joined value over the cap (→ 431). Both now measure the joined size first.
    const long = 'Basic ' + 'A'.repeat(MAX_AUTHORIZATION_LENGTH);
    const lines = conn({}, ['Token abcd=', long]);
    const joined = conn({ authorization: `Token abcd=, ${long}` });
    expect(codeOf(() => readAuthorization(lines))).toBe('oversized_authorization');
    expect(codeOf(() => readAuthorization(joined))).toBe('oversized_authorization');
    // Two halves, each under the cap, whose join is over it.
    const half = 'Basic ' + 'A'.repeat(MAX_AUTHORIZATION_LENGTH / 2);
    expect(codeOf(() => readAuthorization(conn({}, [half, half])))).toBe('oversized_authorization');
    expect(codeOf(() => readAuthorization(conn({ authorization: `${half}, ${half}` })))).toBe('oversized_authorization');
    // Under the cap once joined: duplicate on both.
    expect(codeOf(() => readAuthorization(conn({}, ['Token a', 'Token b'])))).toBe('duplicate_authorization');
  });

  it('BAS-16 a value exactly at the cap is read', () => {
    const atCap = 'Basic ' + 'A'.repeat(MAX_AUTHORIZATION_LENGTH - 6);
    expect(atCap.length).toBe(MAX_AUTHORIZATION_LENGTH);
    expect(readAuthorization(conn({ authorization: atCap }))?.scheme).toBe('basic');
  });

  it('BAS-20 Proxy-Authorization is ignored', () => {
    expect(readAuthorization(conn({ 'proxy-authorization': 'Basic dXNlcjpwYXNz' }))).toBeNull();
  });

  it('a value that does not start with a token has no scheme', () => {
    expect(readAuthorization(conn({ authorization: '(Basic) x' }))).toEqual({ scheme: '', credentials: undefined });
  });
});

describe('decodeBase64Strict', () => {
  it('decodes canonical standard base64', () => {
    expect(text(decodeBase64Strict('dXNlcjpwYXNz'))).toBe('user:pass');
    expect(text(decodeBase64Strict('dXNlcg=='))).toBe('user');
    expect(text(decodeBase64Strict('QUI='))).toBe('AB');
    expect(Array.from(decodeBase64Strict('/w==') ?? [])).toEqual([0xff]);
    expect(Array.from(decodeBase64Strict('+/+/') ?? [])).toEqual([0xfb, 0xff, 0xbf]);
  });

  it('BAS-14 refuses missing or excess padding', () => {
    for (const v of ['dXNlcg', 'dXNlcg=', 'dXNlcg===', 'dXNlcjpwYXNz=', 'dXNlcjpwYXNz==', '====', '=', 'QQ=Q']) {
      expect(decodeBase64Strict(v)).toBeNull();
    }
  });

  it('BAS-14 refuses non-canonical trailing bits', () => {
    expect(decodeBase64Strict('QQ==')).not.toBeNull();
    expect(decodeBase64Strict('QR==')).toBeNull();
    expect(decodeBase64Strict('QUJ=')).toBeNull();
    expect(decodeBase64Strict('dXNlch==')).toBeNull();
  });

  it('BAS-14 refuses the URL-safe alphabet', () => {
    expect(decodeBase64Strict('-_8=')).toBeNull();
    expect(decodeBase64Strict('dXNl-_==')).toBeNull();
    expect(decodeBase64Strict('_w==')).toBeNull();
  });

  it('BAS-14 refuses whitespace and junk', () => {
    for (const v of ['dXNl cjpwYXNz', ' dXNlcjpwYXNz', 'dXNlcjpwYXNz\n', 'dXNl\tcjpwYXNz', 'dXNlcjpw!XNz', '!!!', '']) {
      expect(decodeBase64Strict(v)).toBeNull();
    }
  });
});

describe('decodeUtf8Strict', () => {
  it('decodes valid UTF-8', () => {
    expect(decodeUtf8Strict(new TextEncoder().encode('üser:pässword'))).toBe('üser:pässword');
  });

  it('BAS-12 refuses invalid UTF-8 instead of replacing it', () => {
    expect(decodeUtf8Strict(bytes(0xff))).toBeNull();
    expect(decodeUtf8Strict(bytes(0x75, 0x3a, 0xc3))).toBeNull(); // truncated sequence
    expect(decodeUtf8Strict(bytes(0xc0, 0xaf))).toBeNull(); // overlong "/"
    expect(decodeUtf8Strict(bytes(0xed, 0xa0, 0x80))).toBeNull(); // UTF-16 surrogate
  });

  it('keeps a byte-order mark (byte-exact, nothing stripped)', () => {
    expect(decodeUtf8Strict(bytes(0xef, 0xbb, 0xbf, 0x61))).toBe('\uFEFFa');
  });
});

describe('quoteRealm and hasControlCharacters', () => {
  it('BAS-18 quotes a realm and escapes " and \\', () => {
    expect(quoteRealm('api')).toBe('"api"');
    expect(quoteRealm('a"b')).toBe('"a\\"b"');
    expect(quoteRealm('a\\b')).toBe('"a\\\\b"');
  });

  it('BAS-18 refuses CR, LF and other control characters', () => {
    for (const realm of ['a\rb', 'a\nb', 'a\r\nSet-Cookie: x=y', 'a\u0000b', 'a\tb', 'a\u007fb']) {
      expect(quoteRealm(realm)).toBeNull();
    }
  });

  it('BAS-18 refuses a realm that cannot be sent in a header (beyond Latin-1)', () => {
    expect(quoteRealm('日本')).toBeNull();
    expect(quoteRealm('a\u2028b')).toBeNull();
    expect(quoteRealm('Zürich')).toBe('"Zürich"');
  });

  it('refuses an empty realm', () => {
    expect(quoteRealm('')).toBeNull();
  });

  it('hasControlCharacters covers C0 and DEL only', () => {
    expect(hasControlCharacters('user\u0000')).toBe(true);
    expect(hasControlCharacters('us\ner')).toBe(true);
    expect(hasControlCharacters('pa\u007fss')).toBe(true);
    expect(hasControlCharacters('üser pässword~')).toBe(false);
  });
});

describe('the scheme read without a new string matches what the regular expression and toLowerCase read (issue #17)', () => {
  // Inputs around every boundary: each ASCII character, non-ASCII, padding, case.
  const ALPHABET = ["A", "z", "0", "9", "-", ".", "_", "~", "+", "/", "=", " ", "\t", ",", '"', ":", "é", "\u0130", "K", "k", "^", "`", "|", "!", "#", "\u00ff", "\u017f"];
  const inputs = (count: number, seed: number): string[] => {
    let x = seed;
    const next = (n: number): number => ((x = (x * 1103515245 + 12345) & 0x7fffffff), x % n);
    const out: string[] = [];
    for (let c = 0; c < 128; c++) out.push(String.fromCharCode(c), `a${String.fromCharCode(c)}`, `${String.fromCharCode(c)}=`);
    for (let i = 0; i < count; i++) {
      let s = '';
      const length = next(12);
      for (let j = 0; j < length; j++) s += ALPHABET[next(ALPHABET.length)] as string;
      out.push(s);
    }
    return out;
  };

  it('readAuthorization reads every scheme as the sticky /[tchar]+/y with toLowerCase did, with and without the expected scheme', () => {
    const SCHEME = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;
    const reference = (raw: string): { scheme: string; credentials: string | undefined } | 'throws' => {
      // The old schemeAt over readAuthorization's single-value path.
      let start = 0;
      while (start < raw.length && (raw[start] === ' ' || raw[start] === '\t')) start++;
      let end = raw.length;
      while (end > start && (raw[end - 1] === ' ' || raw[end - 1] === '\t')) end--;
      SCHEME.lastIndex = start;
      const match = SCHEME.exec(raw);
      const name = match === null ? '' : match[0].toLowerCase();
      if (name === '') return { scheme: '', credentials: undefined };
      const after = start + name.length;
      if (after === end) return { scheme: name, credentials: '' };
      if (raw[after] !== ' ') return { scheme: name, credentials: undefined };
      let from = after;
      while (from < end && raw[from] === ' ') from++;
      return { scheme: name, credentials: raw.slice(from, end) };
    };
    const schemes = ['Basic', 'BASIC', 'basic', 'bAsIc', 'Bearer', 'Token', 'TOKEN', 'Tokens', 'Toke', 'T0ken', 'Tok\u0130n', 'Tok^n', 'Tok~n', 'Digest'];
    for (const scheme of schemes) {
      for (const rest of ['', ' ', ' abc', '  abc ', '\tabc', 'x abc', '=abc', ' a b']) {
        const raw = `${scheme}${rest}`;
        for (const expected of [undefined, 'basic', 'token', 'bearer']) {
          const got = readAuthorization(conn({}, [raw]), expected);
          expect(got, `${raw} / ${expected}`).toEqual(reference(raw));
        }
      }
    }
    for (const raw of inputs(5000, 11).filter((s) => !s.includes(','))) {
      expect(readAuthorization(conn({}, [raw]), 'token'), JSON.stringify(raw)).toEqual(reference(raw));
    }
  });

  it('a scheme that equals the expected one in another case is that scheme; other schemes are lowered as before', () => {
    expect(readAuthorization(conn({}, ['TOKEN abc']), 'token')).toEqual({ scheme: 'token', credentials: 'abc' });
    expect(readAuthorization(conn({}, ['Tokens abc']), 'token')).toEqual({ scheme: 'tokens', credentials: 'abc' });
    // '^' | 0x20 is '~': only letters are folded.
    expect(readAuthorization(conn({}, ['Tok^n abc']), 'tok~n')).toEqual({ scheme: 'tok^n', credentials: 'abc' });
  });
});
