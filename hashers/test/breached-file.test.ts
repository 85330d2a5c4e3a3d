import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from '@portcullis/core/hashing';
import { breachedPasswordFile, passwordPolicy } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'portcullis-breached-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha1 = (password: string): string => createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();

/** Passwords in the generated list, with their HIBP-style counts. */
const LISTED: Record<string, number> = {
  password: 9_545_824,
  '123456': 37_359_195,
  'correct horse battery staple': 366,
  'p\u00e4ssw\u00f6rd': 7, // NFC only: the NFD spelling is another password
  ['\u{1f511}'.repeat(8)]: 1,
  'Tr0ub4dor&3': 2,
};

/** Writes a sorted HIBP-style file (`HASH:COUNT` + CRLF) of the listed passwords among `filler` random hashes. */
function writeList(name: string, filler: number, format: (hash: string, count: number) => string = (h, c) => `${h}:${c}\r\n`): string {
  const lines = Object.entries(LISTED).map(([password, count]) => [sha1(password), count] as const);
  for (let i = 0; i < filler; i++) lines.push([randomBytes(20).toString('hex').toUpperCase(), 1 + (i % 50)]);
  lines.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const path = join(dir, name);
  writeFileSync(path, lines.map(([hash, count]) => format(hash, count)).join(''));
  return path;
}

const big = writeList('pwned.txt', 20_000);

describe('breachedPasswordFile (a local HIBP-format list; no network)', () => {
  it('finds every listed password and none of 200 others, in a 20,000-line file', async () => {
    const list = await breachedPasswordFile(big);
    for (const password of Object.keys(LISTED)) expect(await list.isBreached(password), password).toBe(true);
    for (let i = 0; i < 200; i++) expect(await list.isBreached(`not listed ${i}`)).toBe(false);
    // Exactly as received: another normalisation or case is another password.
    expect(await list.isBreached('pa\u0308ssw\u00f6rd')).toBe(false);
    expect(await list.isBreached('Password')).toBe(false);
  });

  it('finds the first and last lines, and hashes just beside a listed one are not found', async () => {
    const path = join(dir, 'edges.txt');
    const hashes = ['a', 'b', 'c', 'd', 'e'].map(sha1).sort();
    writeFileSync(path, hashes.map((h) => `${h}:1\n`).join(''));
    const list = await breachedPasswordFile(path);
    for (const p of ['a', 'b', 'c', 'd', 'e']) expect(await list.isBreached(p)).toBe(true);
    expect(await list.isBreached('f')).toBe(false);
    // One line, no final newline, lower-case hex, no count.
    const one = join(dir, 'one.txt');
    writeFileSync(one, sha1('only').toLowerCase());
    const single = await breachedPasswordFile(one);
    expect(await single.isBreached('only')).toBe(true);
    expect(await single.isBreached('other')).toBe(false);
  });

  it('reads LF files without counts too', async () => {
    const plain = writeList('plain.txt', 3000, (hash) => `${hash}\n`);
    const list = await breachedPasswordFile(plain);
    expect(await list.isBreached('password')).toBe(true);
    expect(await list.isBreached('no such password')).toBe(false);
  });

  it('minCount: only passwords seen at least that often count', async () => {
    const list = await breachedPasswordFile(big, { minCount: 100 });
    expect(await list.isBreached('password')).toBe(true);
    expect(await list.isBreached('correct horse battery staple')).toBe(true);
    expect(await list.isBreached('Tr0ub4dor&3')).toBe(false);
  });

  it('never loads the file: a check reads a few kilobytes of a 900 kB file', async () => {
    const list = await breachedPasswordFile(big);
    const handle = await open(big, 'r');
    const prototype = Object.getPrototypeOf(handle) as { read: (...args: unknown[]) => Promise<{ bytesRead: number }> };
    await handle.close();
    let bytes = 0;
    let reads = 0;
    const original = prototype.read;
    const spy = vi.spyOn(prototype, 'read').mockImplementation(async function (this: unknown, ...args: unknown[]) {
      const result = await original.apply(this, args);
      bytes += result.bytesRead;
      reads++;
      return result;
    });
    try {
      expect(await list.isBreached('correct horse battery staple')).toBe(true);
      expect(await list.isBreached('not listed at all')).toBe(false);
    } finally {
      spy.mockRestore();
    }
    const { size } = await import('node:fs').then((fs) => fs.statSync(big));
    expect(size).toBeGreaterThan(800_000);
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThanOrEqual(2 * 22); // log2(1 MB) + 1 per check
    expect(bytes).toBeLessThan(2 * 22 * 129);
  });

  it('picks up a file replaced atomically', async () => {
    const path = join(dir, 'rotating.txt');
    writeFileSync(path, `${sha1('first')}:1\n`);
    const list = await breachedPasswordFile(path);
    expect(await list.isBreached('first')).toBe(true);
    writeFileSync(`${path}.new`, `${[sha1('first'), sha1('second')].sort().join(':1\n')}:1\n`);
    renameSync(`${path}.new`, path);
    expect(await list.isBreached('second')).toBe(true);
  });

  it('refuses an unusable file at startup with a ConfigurationError naming the fix', async () => {
    const reject = async (path: string): Promise<string> => {
      const error = await breachedPasswordFile(path).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfigurationError);
      return (error as ConfigurationError).detail;
    };
    expect(await reject(join(dir, 'missing.txt'))).toMatch(/cannot open .*missing\.txt \(ENOENT\)/);
    expect(await reject(dir)).toMatch(/not a non-empty file|cannot open/);
    writeFileSync(join(dir, 'empty.txt'), '');
    expect(await reject(join(dir, 'empty.txt'))).toMatch(/not a non-empty file/);
    writeFileSync(join(dir, 'words.txt'), 'password\n123456\n');
    expect(await reject(join(dir, 'words.txt'))).toMatch(/expected one 40-hex-digit hash per line/);
    writeFileSync(join(dir, 'unsorted.txt'), [sha1('a'), sha1('b')].sort().reverse().join('\n'));
    expect(await reject(join(dir, 'unsorted.txt'))).toMatch(/not sorted by hash.*LC_ALL=C sort/);
    await expect(breachedPasswordFile(big, { minCount: 0 })).rejects.toBeInstanceOf(ConfigurationError);
  });

  it('a malformed line met during a check rejects it; the policy then fails closed (503)', async () => {
    const path = join(dir, 'broken.txt');
    // Well-formed first and last lines (checked at startup), garbage in between.
    const [low, ...high] = ['a', 'b', 'c', 'd', 'e', 'f'].map(sha1).sort() as [string, ...string[]];
    writeFileSync(path, `${low}:1\n${'garbage that is not a hash\n'.repeat(50)}${high.map((h) => `${h}:1\n`).join('')}`);
    const list = await breachedPasswordFile(path);
    await expect(list.isBreached('something else')).rejects.toThrow(/not a sorted SHA-1 list/);
    const policy = passwordPolicy({ breached: list });
    expect(await policy.check('something else')).toEqual({ ok: false, code: 'breach_check_unavailable', status: 503 });
    expect(await passwordPolicy({ breached: list, onBreachCheckFailure: 'accept' }).check('something else')).toEqual({ ok: true });
  });

  it('ASVS 5.0 6.2.12 through the policy: a listed password is refused with password_breached', async () => {
    const policy = passwordPolicy({ breached: await breachedPasswordFile(big) });
    expect(await policy.check('correct horse battery staple')).toEqual({ ok: false, code: 'password_breached', status: 422 });
    expect(await policy.check('correct horse battery stapler')).toEqual({ ok: true });
  });
});
