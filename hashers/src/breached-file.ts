import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { ConfigurationError, type BreachedPasswordCheck } from '@portcullis/core/hashing';
import { integerOption } from './internal.js';

/** Options of {@link breachedPasswordFile}. */
export interface BreachedPasswordFileOptions {
  /**
   * A password counts as breached when its line's count (`HASH:COUNT`) is at least
   * this; a line without a count counts 1. Default 1: every listed password.
   */
  minCount?: number;
}

/** A line is at most `<40 hex>:<12 digits>\r\n`: 55 bytes. Longer lines make the file malformed. */
const MAX_LINE = 64;
const LINE = /^([0-9A-Fa-f]{40})(?::(\d{1,12}))?\r?$/;
const NEWLINE = 0x0a;

interface Line {
  /** Offset of the line's first byte. */
  readonly start: number;
  /** The SHA-1, upper-case hex. */
  readonly key: string;
  readonly count: number;
}

class MalformedFile extends Error {
  constructor(path: string, offset: number) {
    super(`${path}: not a sorted SHA-1 list near byte ${offset} (expected one 40-hex-digit hash per line, optionally :count)`);
    this.name = 'MalformedFile';
  }
}

function parseLine(text: string, start: number, path: string): Line {
  const match = LINE.exec(text);
  if (match === null) throw new MalformedFile(path, start);
  return { start, key: match[1]!.toUpperCase(), count: match[2] === undefined ? 1 : Number(match[2]) };
}

/**
 * The first line that starts at `position` or later, or `null` past the last line.
 * One read of at most 2 × 64 + 1 bytes: the end of the line in progress, then the line.
 */
async function lineFrom(file: FileHandle, position: number, size: number, path: string, buffer: Buffer): Promise<Line | null> {
  const from = position === 0 ? 0 : position - 1;
  const { bytesRead } = await file.read(buffer, 0, buffer.length, from);
  const atEnd = from + bytesRead >= size;
  let begin = 0;
  if (position > 0) {
    const newline = buffer.indexOf(NEWLINE, 0);
    if (newline === -1 || newline >= bytesRead) {
      if (atEnd) return null;
      throw new MalformedFile(path, from);
    }
    begin = newline + 1;
  }
  const start = from + begin;
  if (start >= size) return null;
  let end = buffer.indexOf(NEWLINE, begin);
  if (end === -1 || end >= bytesRead) {
    if (!atEnd) throw new MalformedFile(path, start);
    end = bytesRead;
  }
  return parseLine(buffer.toString('latin1', begin, end), start, path);
}

/**
 * Looks `key` up by binary search over byte offsets (as Unix `look` does): about
 * log2(size) reads of 129 bytes, whatever the file's size.
 */
async function lookUp(path: string, key: string): Promise<Line | null> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const buffer = Buffer.alloc(2 * MAX_LINE + 1);
    // The smallest offset whose next line has a key ≥ `key`: that line is the candidate.
    let low = 0;
    let high = size;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      const line = await lineFrom(file, middle, size, path, buffer);
      if (line !== null && line.key < key) low = line.start + 1;
      else high = middle;
    }
    const line = await lineFrom(file, low, size, path, buffer);
    return line !== null && line.key === key ? line : null;
  } finally {
    await file.close();
  }
}

/** The first and last lines, to check the file at startup. */
async function ends(path: string): Promise<[Line, Line]> {
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    throw new ConfigurationError(`breachedPasswordFile: cannot open ${path} (${typeof code === 'string' ? code : 'error'}); give the path of a readable SHA-1 list`);
  }
  try {
    const stats = await file.stat();
    if (!stats.isFile() || stats.size === 0) throw new ConfigurationError(`breachedPasswordFile: ${path} is not a non-empty file`);
    const buffer = Buffer.alloc(2 * MAX_LINE + 1);
    const first = await lineFrom(file, 0, stats.size, path, buffer);
    // The last line starts within the last 2 × 64 bytes (a trailing newline included).
    let last: Line | null = null;
    for (let position = Math.max(0, stats.size - 2 * MAX_LINE); position < stats.size; ) {
      const line = await lineFrom(file, position, stats.size, path, buffer);
      if (line === null) break;
      last = line;
      position = line.start + 1;
    }
    if (first === null || last === null) throw new MalformedFile(path, 0);
    if (first.key > last.key) throw new ConfigurationError(`breachedPasswordFile: ${path} is not sorted by hash (sort it, e.g. with \`LC_ALL=C sort\`)`);
    return [first, last];
  } catch (error) {
    if (error instanceof MalformedFile) throw new ConfigurationError(`breachedPasswordFile: ${error.message}`);
    throw error;
  } finally {
    await file.close();
  }
}

/**
 * A breached-password list in a local file (ASVS 5.0 6.2.12), for
 * `passwordPolicy({ breached })`: Have I Been Pwned's downloadable SHA-1 format, one
 * `HASH` or `HASH:COUNT` per line (upper- or lower-case hex, LF or CRLF), sorted by
 * hash. Nothing goes over the network.
 *
 * The file is never loaded: each check opens it, binary-searches byte offsets (about
 * log2(size) reads of 129 bytes: 35 for a 40 GB file) and closes it, so memory
 * stays constant, and a file replaced atomically (`mv`) is picked up by the next
 * check. The password's SHA-1 is computed on its UTF-8 bytes, exactly as received.
 *
 * The promise rejects at startup (a `ConfigurationError` with the fix) when the file
 * can't be opened, is empty, its first or last line is not a hash, or they are out
 * of order. An unsorted file is not detected beyond that and answers wrongly: use
 * the file as HIBP's downloader writes it, or `LC_ALL=C sort` it. A read error or a
 * malformed line met during a check rejects that check; the policy then fails closed
 * unless told otherwise.
 *
 * @throws {ConfigurationError} (as a rejection) when the file is missing, empty, malformed or unsorted.
 * @example
 * ```ts
 * import { breachedPasswordFile, passwordPolicy } from '@portcullis/hashers';
 * // haveibeenpwned-downloader pwnedpasswords  →  pwnedpasswords.txt (SHA-1, ordered by hash)
 * const policy = passwordPolicy({ breached: await breachedPasswordFile('/data/pwnedpasswords.txt', { minCount: 10 }) });
 * ```
 */
export async function breachedPasswordFile(path: string, options: BreachedPasswordFileOptions = {}): Promise<BreachedPasswordCheck> {
  if (typeof path !== 'string' || path === '') throw new ConfigurationError('breachedPasswordFile: path must be a non-empty string');
  const minCount = integerOption('breachedPasswordFile', 'minCount', options.minCount ?? 1, 1, Number.MAX_SAFE_INTEGER);
  await ends(path);
  return Object.freeze({
    async isBreached(password: string): Promise<boolean> {
      const key = createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
      const line = await lookUp(path, key);
      return line !== null && line.count >= minCount;
    },
  });
}
