import { ConfigurationError } from '../errors.js';
import type { MaybePromise } from '../maybe-promise.js';
import { passwordPolicyStatus, type PasswordPolicyStatus } from '../response.js';
import type { Hasher } from './hasher.js';
import { DEFAULT_MAX_PASSWORD_BYTES, LONE_SURROGATE, passwordBytesOrCode } from './password-bytes.js';

export type { PasswordPolicyStatus } from '../response.js';

/** Why {@link PasswordPolicy.check} refused a password. Stable: switch on it, send it to the client. */
export type PasswordPolicyCode =
  /** Not a string, or not encodable as UTF-8 (a lone surrogate): 400. */
  | 'invalid_password'
  /** Fewer Unicode code points than `minLength`: 422. */
  | 'password_too_short'
  /** More UTF-8 bytes than `maxLength` (at most the hasher's limit and the 1024-byte cap of PWD-12): 422. */
  | 'password_too_long'
  /** Too little is left once the user's own name, e-mail or the app's context words are taken out: 422. */
  | 'password_context_specific'
  /** The breached-password check found it: 422. */
  | 'password_breached'
  /** The breached-password check failed or timed out, and the policy fails closed (the default): 503. */
  | 'breach_check_unavailable';

/** The answer of {@link PasswordPolicy.check}: a frozen value. */
export type PasswordCheck =
  | {
      /** The password may be hashed and stored. */
      readonly ok: true;
    }
  | {
      /** The password is refused; nothing should be written. */
      readonly ok: false;
      /** Why; stable, safe to send (`{ "error": code }`). */
      readonly code: PasswordPolicyCode;
      /** The status the core's table gives the code: 400, 422 or 503. */
      readonly status: PasswordPolicyStatus;
    };

/**
 * A list of breached passwords (ASVS 5.0 6.2.12), consulted at signup and password
 * change. `@portcullis/hashers` ships `breachedPasswordFile` (a local, sorted SHA-1
 * file in Have I Been Pwned's downloadable format); any other source (a database
 * table, a k-anonymity API) fits the same interface.
 *
 * @example
 * ```ts
 * const top: BreachedPasswordCheck = { isBreached: (password) => commonPasswords.has(password) };
 * ```
 */
export interface BreachedPasswordCheck {
  /**
   * Required. `true` when the password is on the list, `false` when it is not. May be
   * sync or async; a throw, a rejection, a non-boolean answer or no answer within the
   * policy's `breachCheckTimeout` counts as a failure (see `onBreachCheckFailure`).
   * It receives the password only after the length checks passed.
   */
  isBreached(password: string): MaybePromise<boolean>;
}

/** Options of {@link passwordPolicy}. */
export interface PasswordPolicyOptions {
  /**
   * The fewest Unicode code points accepted (ASVS 5.0 6.2.1: at least 8; 15 is
   * recommended when passwords are the only factor). Default 8; below 8 or above 256
   * (the 1024-byte cap holds 256 characters of any script) throws.
   * `"🔑🔑🔑🔑🔑🔑🔑🔑"` counts 8, like `"password"`.
   */
  minLength?: number;
  /**
   * The most UTF-8 bytes accepted, as the hasher counts them. Default: the hasher's
   * `maxPasswordBytes`, or 1024 (the cap of PWD-12) without a hasher. It must be at
   * least 256, so that 64 characters of any script fit (ASVS 5.0 6.2.9; a character
   * takes up to 4 bytes), or 4 bytes per character of a larger `minLength`, and at
   * most the hasher's limit and 1024. Plain bcrypt (72 bytes) is therefore refused:
   * hash new passwords with argon2id, or wrap bcrypt in `pepperedHasher`.
   */
  maxLength?: number;
  /** The hasher that will hash accepted passwords: its `maxPasswordBytes` bounds `maxLength`. */
  hasher?: Hasher;
  /** A breached-password list, checked last (after every cheap check). Default: none. */
  breached?: BreachedPasswordCheck;
  /**
   * What a failing or slow breached-password check means. `'reject'` (the default)
   * fails closed: `breach_check_unavailable` (503), so a missing file can't silently
   * let breached passwords in. `'accept'` fails open: the password is checked as if
   * the list did not have it.
   */
  onBreachCheckFailure?: 'reject' | 'accept';
  /** Called with the error when the breached-password check fails (for your log); never with the password. */
  onBreachCheckError?: (error: unknown) => void;
  /** Milliseconds the breached-password check may take before it counts as failed. Default 5000. */
  breachCheckTimeout?: number;
  /**
   * Words of your app that don't count towards a password's length (ASVS 5.0 6.2.11):
   * the service's name, its domain. Compared case-insensitively; words under 3 code
   * points are ignored.
   */
  contextWords?: readonly string[];
}

/** What {@link PasswordPolicy.check} knows about the user. */
export interface PasswordCheckContext {
  /**
   * The user's own identifiers (username, e-mail, display name): like `contextWords`,
   * they don't count towards the length. An e-mail's local part is taken out too.
   */
  user?: readonly string[];
}

/** A password policy for signup and password change, made by {@link passwordPolicy}. */
export interface PasswordPolicy {
  /** The fewest code points accepted. */
  readonly minLength: number;
  /** The most UTF-8 bytes accepted. */
  readonly maxLength: number;
  /**
   * Checks a new password: length (cheap, first), context words, then the breached
   * list. Never throws and never rejects.
   */
  check(password: string, context?: PasswordCheckContext): Promise<PasswordCheck>;
}

/** ASVS 5.0 6.2.1. */
const FLOOR = 8;
/** ASVS 5.0 6.2.9: at least 64 characters must be accepted. */
const LONG_ENOUGH = 64;
/** The most UTF-8 bytes a character (a code point) takes. */
const BYTES_PER_CHARACTER = 4;
const SHORTEST_WORD = 3;
const ACCEPTED: PasswordCheck = Object.freeze({ ok: true });

const refusals = new Map<PasswordPolicyCode, PasswordCheck>();
function refused(code: PasswordPolicyCode): PasswordCheck {
  let answer = refusals.get(code);
  if (answer === undefined) refusals.set(code, (answer = Object.freeze({ ok: false, code, status: passwordPolicyStatus(code) })));
  return answer;
}

/** Code points of a well-formed string (a low surrogate there always follows a high one). */
function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0xdc00 || unit > 0xdfff) n++;
  }
  return n;
}

/**
 * One code point lower-cased on its own, so that each unit of the result can be traced
 * back to the code point it came from ('İ' becomes two code points, 'i' and U+0307).
 * Alone, 'Σ' is always 'σ'; 'ς' is folded to 'σ' too (as Unicode case folding does), so
 * a Greek name matches however its final sigma was written.
 */
function lowerOne(char: string): string {
  const lower = char.toLowerCase();
  return lower === '\u03c2' ? '\u03c3' : lower;
}

/** A word lower-cased as passwords are, one code point at a time. */
function lowerEach(text: string): string {
  let out = '';
  for (const char of text) out += lowerOne(char);
  return out;
}

/**
 * The words to take out, lower-cased; an e-mail brings its local part. Values longer
 * than `longest` UTF-16 units can't be inside a password the caps let through, so
 * they aren't even lower-cased (a 1 MB "username" costs nothing). A value with a lone
 * surrogate is skipped: it could match half of a character of the password.
 */
function wordsOf(values: readonly unknown[], longest = Infinity): string[] {
  const words: string[] = [];
  for (const value of values) {
    if (typeof value !== 'string' || value.length > longest || LONE_SURROGATE.test(value)) continue;
    const word = lowerEach(value);
    const at = word.lastIndexOf('@');
    for (const w of at > 0 ? [word, word.slice(0, at)] : [word]) {
      if (codePoints(w) >= SHORTEST_WORD) words.push(w);
    }
  }
  // Longest first, so an e-mail goes before its own local part.
  return words.sort((a, b) => b.length - a.length);
}

/**
 * How many code points of `password` are left once every `words` (lower-cased,
 * longest first) is taken out of its lower-cased form. Counted on the password as
 * received: a code point counts as left only when nothing of its lower-cased form was
 * taken out, whatever lower-casing did to its length.
 */
function codePointsLeft(password: string, words: readonly string[]): number {
  let rest = '';
  // origin[i]: the index of the code point of `password` that unit i of `rest` came from.
  let origin: number[] = [];
  let index = 0;
  for (const char of password) {
    const lower = lowerOne(char);
    rest += lower;
    for (let k = 0; k < lower.length; k++) origin.push(index);
    index++;
  }
  const taken = new Set<number>();
  for (const word of words) {
    let kept = '';
    const keptOrigin: number[] = [];
    let from = 0;
    for (let at = rest.indexOf(word); at !== -1; at = rest.indexOf(word, from)) {
      kept += rest.slice(from, at);
      for (let i = from; i < at; i++) keptOrigin.push(origin[i] as number);
      for (let i = at; i < at + word.length; i++) taken.add(origin[i] as number);
      from = at + word.length;
    }
    if (from === 0) continue;
    kept += rest.slice(from);
    for (let i = from; i < rest.length; i++) keptOrigin.push(origin[i] as number);
    rest = kept;
    origin = keptOrigin;
  }
  return index - taken.size;
}

function integer(name: string, value: unknown, min: number, max: number, fix: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigurationError(`passwordPolicy: ${name} must be an integer from ${min} to ${max}${fix}`);
  }
  return value;
}

/**
 * A password policy for signup and password change (ASVS 5.0 V6.2): a minimum in
 * Unicode code points (default 8), a maximum in UTF-8 bytes as the hasher counts them
 * (at least 256, so 64 characters of any script fit), no composition rules (no "one
 * digit, one symbol"), the user's own name and e-mail not counted, and an optional
 * breached-password list. Passwords are
 * checked exactly as received, as the hashers hash them: nothing is normalised,
 * trimmed or case-folded. Logins never go through the policy: an existing password
 * keeps working when the policy tightens.
 *
 * Every refusal is a stable code with its status from the core's table:
 * `invalid_password` 400; `password_too_short`, `password_too_long`,
 * `password_context_specific`, `password_breached` 422; `breach_check_unavailable`
 * 503. The length checks run first and cost microseconds even for a 1 MiB password
 * (PWD-12); the breached list is consulted only for passwords that passed them.
 *
 * @throws {ConfigurationError} at construction: `minLength` below 8 or above 256,
 *   `maxLength` below 256 bytes (64 characters of 4 bytes; 4 bytes per character of a
 *   larger `minLength`), `maxLength` above the hasher's limit or the 1024-byte cap, and
 *   so any hasher that reads fewer than 256 bytes, such as plain bcrypt (72).
 * @example
 * ```ts
 * import { passwordPolicy } from '@portcullis/core/hashing';
 * import { argon2idHasher, breachedPasswordFile } from '@portcullis/hashers';
 *
 * const hasher = argon2idHasher();
 * const policy = passwordPolicy({ hasher, minLength: 15, breached: await breachedPasswordFile('pwned-passwords-sha1.txt') });
 *
 * const result = await policy.check(body.password, { user: [body.username, body.email] });
 * if (!result.ok) return reply(result.status, { error: result.code }); // nothing written
 * await db.users.insert({ username: body.username, passwordHash: await hasher.hash(body.password) });
 * ```
 */
export function passwordPolicy(given: PasswordPolicyOptions = {}): PasswordPolicy {
  const options = given ?? {};
  const { hasher, breached } = options;
  if (hasher !== undefined && typeof hasher?.hash !== 'function') throw new ConfigurationError('passwordPolicy: hasher must be a Hasher');
  if (breached !== undefined && typeof breached?.isBreached !== 'function') {
    throw new ConfigurationError('passwordPolicy: breached must have an isBreached(password) method');
  }
  const minLength = integer(
    'minLength',
    options.minLength ?? FLOOR,
    FLOOR,
    DEFAULT_MAX_PASSWORD_BYTES / BYTES_PER_CHARACTER,
    ' (code points; ASVS 5.0 6.2.1 asks for at least 8, 15 is recommended)',
  );
  const hasherMax = hasher?.maxPasswordBytes ?? DEFAULT_MAX_PASSWORD_BYTES;
  const limit = Math.min(hasherMax, DEFAULT_MAX_PASSWORD_BYTES);
  // Every password of 64 characters (or of minLength, when larger) must fit, in any script.
  const floor = BYTES_PER_CHARACTER * Math.max(LONG_ENOUGH, minLength);
  if (limit < floor) {
    throw new ConfigurationError(
      `passwordPolicy: the hasher ${hasher?.id ?? ''} accepts only ${hasherMax} UTF-8 bytes, fewer than the ${floor} that ` +
        `${Math.max(LONG_ENOUGH, minLength)} characters can take (ASVS 5.0 6.2.9 asks for at least 64, and minLength must fit): ` +
        'hash new passwords with argon2idHasher (keep bcrypt in a multiHasher to verify legacy hashes), or wrap this hasher in ' +
        'pepperedHasher, which hands it a 44-byte input whatever the password\'s length',
    );
  }
  const maxLength = integer(
    'maxLength',
    options.maxLength ?? limit,
    floor,
    limit,
    hasherMax < DEFAULT_MAX_PASSWORD_BYTES
      ? ` (UTF-8 bytes: ${hasher?.id ?? 'the hasher'} reads at most ${hasherMax}; for longer passwords use argon2idHasher, or pepperedHasher around ${hasher?.id ?? 'it'})`
      : ' (UTF-8 bytes: at least 4 per character of 64, or of minLength, so they fit in any script, ASVS 5.0 6.2.9; at most the 1024-byte cap of PWD-12)',
  );
  const failure = options.onBreachCheckFailure ?? 'reject';
  if (failure !== 'reject' && failure !== 'accept') throw new ConfigurationError("passwordPolicy: onBreachCheckFailure must be 'reject' or 'accept'");
  const onError = options.onBreachCheckError;
  if (onError !== undefined && typeof onError !== 'function') throw new ConfigurationError('passwordPolicy: onBreachCheckError must be a function');
  const timeout = integer('breachCheckTimeout', options.breachCheckTimeout ?? 5000, 1, 2 ** 31 - 1, ' (milliseconds)');
  const contextWords = options.contextWords ?? [];
  if (!Array.isArray(contextWords) || !contextWords.every((w) => typeof w === 'string')) {
    throw new ConfigurationError('passwordPolicy: contextWords must be an array of strings');
  }
  const appWords = Object.freeze(wordsOf(contextWords));

  /** `true`/`false` from the list, or `undefined` when the check failed. */
  async function listed(check: BreachedPasswordCheck, password: string): Promise<boolean | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`breached-password check took over ${timeout} ms`)), timeout);
      });
      // The race subscribes to both: a rejection after the timeout is not unhandled.
      const answer: unknown = await Promise.race([(async () => check.isBreached(password))(), late]);
      if (typeof answer !== 'boolean') throw new TypeError('isBreached did not answer a boolean');
      return answer;
    } catch (error) {
      try {
        onError?.(error);
      } catch {
        // A failing log must not change the answer.
      }
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  async function check(password: string, context?: PasswordCheckContext): Promise<PasswordCheck> {
    // The byte cap first: a 1 MiB password costs a comparison (PWD-12).
    const bytes = passwordBytesOrCode(password, maxLength);
    if (typeof bytes === 'string') return refused(bytes === 'password_too_long' ? 'password_too_long' : 'invalid_password');
    const length = codePoints(password);
    if (length < minLength) return refused('password_too_short');
    const user = context?.user;
    // Lower-casing at most triples a string's length ('İ' → 'i̇'), so longer values can't match.
    const words = Array.isArray(user) && user.length > 0 ? [...appWords, ...wordsOf(user, 3 * password.length)].sort((a, b) => b.length - a.length) : appWords;
    if (words.length > 0 && codePointsLeft(password, words) < minLength) return refused('password_context_specific');
    if (breached !== undefined) {
      const found = await listed(breached, password);
      if (found === true) return refused('password_breached');
      if (found === undefined && failure === 'reject') return refused('breach_check_unavailable');
    }
    return ACCEPTED;
  }

  return Object.freeze({ minLength, maxLength, check });
}
