// Shared test data for the hashers' tests.
import { readFileSync } from 'node:fs';

/** Passwords every hasher must round-trip exactly (PWD-10); bcrypt refuses the NUL ones. */
export const UNICODE_PASSWORDS = [
  'correct horse battery staple',
  'p\u00e4ssw\u00f6rd', // NFC
  'pa\u0308sswo\u0308rd', // the same text in NFD: a different password
  '\u5bc6\u7801\u5bc6\u7801\u5bc6\u7801\u5bc6\u7801',
  '\u{1f511}'.repeat(8),
  'pass:word:with:colons',
  ':leading-colon',
  'Password',
  'password',
] as const;

export const NUL_PASSWORDS = ['nul\u0000byte', '\u0000leading', 'in\u0000the\u0000middle'] as const;

/** One vector made by a real producer (see fixtures/make-fixtures.py). */
export interface Vector {
  id: string;
  producer: string;
  scheme: string;
  password: string;
  hash: string;
  wrong: string[];
  overlong: string[];
}

export const FIXTURES: { producers: Record<string, string>; vectors: Vector[] } = JSON.parse(
  readFileSync(new URL('./fixtures/vectors.json', import.meta.url), 'utf8'),
);
