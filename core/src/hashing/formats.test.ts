import { describe, expect, it } from 'vitest';
import { parseArgon2 } from './argon2-format.js';
import { decodeAb64, decodeB64, decodeBase64, encodeAb64, encodeB64, encodeBase64 } from './base64.js';
import { parseBcrypt } from './bcrypt-format.js';
import {
  formatDjangoPbkdf2,
  formatPasslibPbkdf2,
  formatPbkdf2,
  parseDjangoPbkdf2,
  parsePasslibPbkdf2,
  parsePbkdf2,
} from './pbkdf2-format.js';
import { formatPhc, parsePhc } from './phc.js';
import { formatScrypt, parseScrypt } from './scrypt-format.js';

const bytes = (...values: number[]) => Uint8Array.from(values);
const SALT16 = 'c2FsdHNhbHRzYWx0c2FsdA'; // 'saltsaltsaltsalt'
const HASH32 = 'aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';

describe('base64 variants', () => {
  it('round-trip and refuse non-canonical or foreign characters', () => {
    const data = Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff);
    expect(decodeBase64(encodeBase64(data))).toEqual(data);
    expect(decodeB64(encodeB64(data))).toEqual(data);
    expect(decodeAb64(encodeAb64(data))).toEqual(data);
    expect(encodeB64(bytes(0xfb, 0xff))).toBe('+/8');
    expect(encodeAb64(bytes(0xfb, 0xff))).toBe('./8');
    expect(decodeB64('+/9')).toBeNull(); // unused low bits set
    expect(decodeB64('ab c')).toBeNull(); // atob would skip the space
    expect(decodeB64('abcde')).toBeNull(); // length 1 mod 4
    expect(decodeB64('ab==')).toBeNull(); // PHC B64 has no padding
    expect(decodeBase64('YQ')).toBeNull(); // Django's needs it
    expect(decodeBase64('YQ==')).toEqual(bytes(0x61));
    expect(decodeAb64('./8')).toEqual(bytes(0xfb, 0xff));
    expect(decodeAb64('+/8')).toEqual(bytes(0xfb, 0xff)); // passlib reads both
    expect(decodeAb64('.+8')).toBeNull();
  });
});

describe('parsePhc', () => {
  it('reads id, version, parameters in order, salt and hash', () => {
    const phc = parsePhc(`$argon2id$v=19$m=19456,t=2,p=1$${SALT16}$${HASH32}`);
    expect(phc?.id).toBe('argon2id');
    expect(phc?.version).toBe(19);
    expect([...(phc?.params ?? [])]).toEqual([['m', '19456'], ['t', '2'], ['p', '1']]);
    expect(new TextDecoder().decode(phc?.salt)).toBe('saltsaltsaltsalt');
    expect(phc?.hash.length).toBe(32);
  });

  it('round-trips with formatPhc', () => {
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const hash = crypto.getRandomValues(new Uint8Array(32));
    const text = formatPhc({ id: 'x', version: 19, params: [['a', 1], ['b', 'c']], salt, hash });
    const phc = parsePhc(text);
    expect(phc?.salt).toEqual(salt);
    expect(phc?.hash).toEqual(hash);
    expect(phc?.params.get('b')).toBe('c');
  });

  it.each([
    ['empty', ''],
    ['no leading $', `argon2id$v=19$m=1,t=1,p=1$${SALT16}$${HASH32}`],
    ['upper-case id', `$ARGON2ID$v=19$m=8,t=1,p=1$${SALT16}$${HASH32}`],
    ['no hash', `$argon2id$v=19$m=8,t=1,p=1$${SALT16}`],
    ['extra field', `$argon2id$v=19$m=8,t=1,p=1$${SALT16}$${HASH32}$x`],
    ['duplicate parameter', `$argon2id$v=19$m=8,m=9,p=1$${SALT16}$${HASH32}`],
    ['leading zero in version', `$argon2id$v=019$m=8,t=1,p=1$${SALT16}$${HASH32}`],
    ['version over 2^32', `$argon2id$v=4294967296$m=8,t=1,p=1$${SALT16}$${HASH32}`],
    ['padding in salt', `$argon2id$v=19$m=8,t=1,p=1$${SALT16}==$${HASH32}`],
    ['empty hash', `$argon2id$v=19$m=8,t=1,p=1$${SALT16}$`],
    ['over 1024 characters', `$argon2id$v=19$m=8,t=1,p=1$${'A'.repeat(1100)}$${HASH32}`],
  ])('is null for %s', (_, text) => {
    expect(parsePhc(text)).toBeNull();
  });
});

describe('parseArgon2', () => {
  it('reads the parameters of a PHC argon2 string', () => {
    expect(parseArgon2(`$argon2id$v=19$m=19456,t=2,p=1$${SALT16}$${HASH32}`)).toMatchObject({
      variant: 'argon2id',
      version: 19,
      memoryCost: 19456,
      timeCost: 2,
      parallelism: 1,
    });
    expect(parseArgon2(`$argon2i$v=16$m=4096,t=3,p=1$${SALT16}$${HASH32}`)?.variant).toBe('argon2i');
  });

  it.each([
    ['argon2 without a variant', `$argon2$v=19$m=19456,t=2,p=1$${SALT16}$${HASH32}`],
    ['no version', `$argon2id$m=19456,t=2,p=1$${SALT16}$${HASH32}`],
    ['unknown version', `$argon2id$v=20$m=19456,t=2,p=1$${SALT16}$${HASH32}`],
    ['missing p', `$argon2id$v=19$m=19456,t=2$${SALT16}$${HASH32}`],
    ['extra keyid', `$argon2id$v=19$m=19456,t=2,p=1,keyid=AA$${SALT16}$${HASH32}`],
    ['m < 8p', `$argon2id$v=19$m=15,t=2,p=2$${SALT16}$${HASH32}`],
    ['t=0', `$argon2id$v=19$m=19456,t=0,p=1$${SALT16}$${HASH32}`],
    ['salt of 4 bytes', `$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$${HASH32}`],
    ['hash of 3 bytes', `$argon2id$v=19$m=19456,t=2,p=1$${SALT16}$aGFz`],
    ['non-numeric m', `$argon2id$v=19$m=lots,t=2,p=1$${SALT16}$${HASH32}`],
    ['scrypt', `$scrypt$ln=17,r=8,p=1$${SALT16}$${HASH32}`],
  ])('is null for %s', (_, text) => {
    expect(parseArgon2(text)).toBeNull();
  });
});

describe('parseScrypt / formatScrypt', () => {
  it('round-trips', () => {
    const salt = new Uint8Array(16).fill(1);
    const hash = new Uint8Array(32).fill(2);
    const text = formatScrypt({ cost: 2 ** 17, blockSize: 8, parallelization: 1, salt, hash });
    expect(text.startsWith('$scrypt$ln=17,r=8,p=1$')).toBe(true);
    expect(parseScrypt(text)).toEqual({ cost: 2 ** 17, blockSize: 8, parallelization: 1, salt, hash });
  });

  it.each([
    ['ln=0', `$scrypt$ln=0,r=8,p=1$${SALT16}$${HASH32}`],
    ['ln=64', `$scrypt$ln=64,r=8,p=1$${SALT16}$${HASH32}`],
    ['r=0', `$scrypt$ln=17,r=0,p=1$${SALT16}$${HASH32}`],
    ['a version', `$scrypt$v=1$ln=17,r=8,p=1$${SALT16}$${HASH32}`],
    ['N instead of ln', `$scrypt$n=131072,r=8,p=1$${SALT16}$${HASH32}`],
  ])('is null for %s', (_, text) => {
    expect(parseScrypt(text)).toBeNull();
  });
});

describe('parseBcrypt', () => {
  const body = 'mDA0HLuZIRDKR4pOpoP5jO87NtDTkVc.Wh5Z6ZhYMJlvDCiw6YLzi';
  it('reads version and cost', () => {
    expect(parseBcrypt(`$2b$12$${body}`)).toEqual({ version: '2b', cost: 12 });
    expect(parseBcrypt(`$2y$04$${body}`)).toEqual({ version: '2y', cost: 4 });
    expect(parseBcrypt(`$2a$31$${body}`)).toEqual({ version: '2a', cost: 31 });
  });

  it.each([
    ['$2x$ (broken crypt_blowfish variant)', `$2x$12$${body}`],
    ['cost 03', `$2b$03$${body}`],
    ['cost 32', `$2b$32$${body}`],
    ['one character short', `$2b$12$${body.slice(1)}`],
    ['one character long', `$2b$12$${body}a`],
    ['a character outside the alphabet', `$2b$12$${body.slice(1)}+`],
    ['$2$', `$2$12$${body}`],
  ])('is null for %s', (_, text) => {
    expect(parseBcrypt(text)).toBeNull();
  });
});

describe('PBKDF2 formats', () => {
  const salt = new Uint8Array(16).fill(7);
  const hash32 = new Uint8Array(32).fill(9);

  it('PHC: round-trips, 16..64-byte keys only', () => {
    const text = formatPbkdf2({ digest: 'SHA-256', iterations: 600000, salt, hash: hash32 });
    expect(text.startsWith('$pbkdf2-sha256$i=600000$')).toBe(true);
    expect(parsePbkdf2(text)).toEqual({ digest: 'SHA-256', iterations: 600000, salt, hash: hash32 });
    expect(parsePbkdf2(formatPbkdf2({ digest: 'SHA-512', iterations: 1, salt, hash: new Uint8Array(8) }))).toBeNull();
    expect(parsePbkdf2(formatPbkdf2({ digest: 'SHA-512', iterations: 1, salt, hash: new Uint8Array(65) }))).toBeNull();
    expect(parsePbkdf2('$pbkdf2-md5$i=1000$' + SALT16 + '$' + HASH32)).toBeNull();
    expect(parsePbkdf2('$pbkdf2-sha256$i=0$' + SALT16 + '$' + HASH32)).toBeNull();
    expect(parsePbkdf2('$pbkdf2-sha256$i=1000,l=32$' + SALT16 + '$' + HASH32)).toBeNull();
  });

  it('passlib: ab64, digest-sized checksums, $pbkdf2$ is SHA-1', () => {
    const text = formatPasslibPbkdf2({ digest: 'SHA-256', iterations: 29000, salt, hash: hash32 });
    expect(text).toMatch(/^\$pbkdf2-sha256\$29000\$[A-Za-z0-9./]+\$[A-Za-z0-9./]+$/);
    expect(parsePasslibPbkdf2(text)).toEqual({ digest: 'SHA-256', iterations: 29000, salt, hash: hash32 });
    const sha1 = formatPasslibPbkdf2({ digest: 'SHA-1', iterations: 131000, salt, hash: new Uint8Array(20) });
    expect(sha1.startsWith('$pbkdf2$131000$')).toBe(true);
    expect(parsePasslibPbkdf2(sha1)?.digest).toBe('SHA-1');
    // A SHA-256 hash that is not 32 bytes, a leading zero, a PHC string:
    expect(parsePasslibPbkdf2(formatPasslibPbkdf2({ digest: 'SHA-256', iterations: 1, salt, hash: new Uint8Array(64) }))).toBeNull();
    expect(parsePasslibPbkdf2(text.replace('$29000$', '$029000$'))).toBeNull();
    expect(parsePasslibPbkdf2(formatPbkdf2({ digest: 'SHA-256', iterations: 29000, salt, hash: hash32 }))).toBeNull();
  });

  it('Django: text salt, padded base64, round-trips', () => {
    const text = formatDjangoPbkdf2({ digest: 'SHA-256', iterations: 260000, salt: new TextEncoder().encode('QwEYsalt'), hash: hash32 });
    expect(text).toMatch(/^pbkdf2_sha256\$260000\$QwEYsalt\$[A-Za-z0-9+/]{43}=$/);
    expect(parseDjangoPbkdf2(text)).toEqual({ digest: 'SHA-256', iterations: 260000, salt: new TextEncoder().encode('QwEYsalt'), hash: hash32 });
    expect(parseDjangoPbkdf2(text.replace(/=$/, ''))).toBeNull();
    expect(parseDjangoPbkdf2(text.replace('pbkdf2_sha256', 'pbkdf2_sha512'))).toBeNull();
    expect(parseDjangoPbkdf2('pbkdf2_sha256$260000$$' + encodeBase64(hash32))).toBeNull();
    expect(() => formatDjangoPbkdf2({ digest: 'SHA-256', iterations: 1, salt: new TextEncoder().encode('a$b'), hash: hash32 })).toThrow(RangeError);
  });
});

describe('parsers never throw', () => {
  const seeds = [
    `$argon2id$v=19$m=19456,t=2,p=1$${SALT16}$${HASH32}`,
    `$scrypt$ln=17,r=8,p=1$${SALT16}$${HASH32}`,
    `$2b$12$mDA0HLuZIRDKR4pOpoP5jO87NtDTkVc.Wh5Z6ZhYMJlvDCiw6YLzi`,
    `$pbkdf2-sha256$i=600000$${SALT16}$${HASH32}`,
    '$pbkdf2-sha256$29000$N2bMWSuFsJbSmtM6xxhDKA$ULHTuGWCKXNH5PYFX8ahHWXZE2mr2U4D9/jAOBRLvkk',
    'pbkdf2_sha256$260000$QwEYsalt$' + 'A'.repeat(43) + '=',
  ];
  const parsers = [parsePhc, parseArgon2, parseScrypt, parseBcrypt, parsePbkdf2, parsePasslibPbkdf2, parseDjangoPbkdf2];
  const alphabet = '$=,.+/0123456789abcdefghijklmnopqrstuvwxyzAZ\u0000\u00e9\ud800 ';

  it('on 2,000 mutations of valid strings, and on non-strings', () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      const chars = [...(seeds[random(seeds.length)] as string)];
      for (let k = 0; k <= random(4); k++) {
        const at = random(chars.length + 1);
        const op = random(3);
        if (op === 0) chars.splice(at, 1);
        else if (op === 1) chars.splice(at, 0, alphabet[random(alphabet.length)] as string);
        else chars[at] = alphabet[random(alphabet.length)] as string;
      }
      const text = chars.join('');
      for (const parse of parsers) parse(text); // a throw fails the test
    }
    for (const parse of parsers) {
      for (const value of [undefined, null, 42, {}, ['$2b$']]) expect(parse(value as unknown as string)).toBeNull();
    }
  });
});
