import { ConfigurationError } from '../errors.js';
import { HashingError } from './errors.js';
import type { Hasher } from './hasher.js';

/** Options of {@link hashingBound} (and of {@link boundedHasher} given options). */
export interface HashingBoundOptions {
  /** At most this many hashes and verifications compute at once (an integer ≥ 1). */
  concurrency: number;
  /** At most this many wait for a slot, first in first out; beyond, refused at once. Default `4 × concurrency`; 0 for none. */
  queue?: number;
  /**
   * A task still waiting after this many milliseconds is refused (`hasher_busy`, never
   * computed): when hashing slows down (an overloaded machine), a full queue would
   * otherwise hold logins longer than any client waits. Default 2000; 0 for no limit.
   */
  maxWaitMs?: number;
}

/**
 * A limit on concurrent password hashing: `concurrency` slots and a bounded FIFO wait
 * queue. Share one between hashers that use the same threads (Node's libuv pool);
 * never put a hasher bounded by it inside another hasher bounded by the same one (the
 * outer call would hold a slot while the inner one waits for it).
 */
export interface HashingBound {
  /** The number of slots. */
  readonly concurrency: number;
  /** The length of the wait queue. */
  readonly queue: number;
  /** Computations running now (at most `concurrency`). */
  readonly active: number;
  /** Computations waiting for a slot now (at most `queue`). */
  readonly waiting: number;
  /** How long a task may wait for a slot, in ms (0: no limit). */
  readonly maxWaitMs: number;
  /**
   * Runs `task` in a slot: at once when one is free, after the ones queued before it
   * otherwise, and never when the queue is full: then the promise rejects at once with
   * a `HashingError` `hasher_busy` and `task` is not called; likewise after `maxWaitMs`
   * in line.
   */
  run<T>(task: () => Promise<T>): Promise<T>;
}

const MAX_SLOTS = 1 << 20;

/** V8's (and JavaScriptCore's) cap on captured stack frames; absent elsewhere. */
const errorClass = Error as { stackTraceLimit?: number };

/**
 * The refusal, a `HashingError` `hasher_busy`, made without capturing a stack. A login
 * flood makes thousands a second, `passwordBackend` turns each into a 503, and nobody
 * reads their stacks; under Express the capture (behind its frames, async ones
 * included) cost about 16 µs, some 5 % of a refused login's CPU.
 */
function busy(): HashingError {
  const limit = errorClass.stackTraceLimit;
  if (typeof limit !== 'number') return new HashingError('hasher_busy');
  errorClass.stackTraceLimit = 0;
  try {
    return new HashingError('hasher_busy');
  } finally {
    errorClass.stackTraceLimit = limit;
  }
}

/** A task waiting for a slot. */
interface Waiter {
  /** The `maxWaitMs` timer. */
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Starts the task in the slot just freed. */
  readonly go: () => void;
}

/**
 * A {@link HashingBound}: at most `concurrency` tasks at once, `queue` more waiting
 * in arrival order for at most `maxWaitMs`, and an immediate `hasher_busy` refusal beyond. The memory a login
 * flood can pin is then `(concurrency + queue)` hashes' worth (argon2id at OWASP's
 * parameters: 19 MiB per running hash), and a refused attempt costs no hashing at all.
 *
 * @throws {ConfigurationError} when `concurrency` or `queue` is not a usable integer.
 * @example
 * ```ts
 * import { boundedHasher, hashingBound, pbkdf2Hasher } from '@portcullis/core/hashing';
 *
 * const bound = hashingBound({ concurrency: 4, queue: 16 });
 * const hasher = boundedHasher(pbkdf2Hasher(), bound);
 * bound.active; // 0: nothing computing
 * ```
 */
export function hashingBound(options: HashingBoundOptions): HashingBound {
  const concurrency: unknown = options?.concurrency;
  if (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_SLOTS) {
    throw new ConfigurationError(`hashingBound: concurrency must be an integer from 1 to ${MAX_SLOTS} (the number of hashes computed at once)`);
  }
  const queue: unknown = options.queue ?? 4 * concurrency;
  if (typeof queue !== 'number' || !Number.isInteger(queue) || queue < 0 || queue > MAX_SLOTS) {
    throw new ConfigurationError(`hashingBound: queue must be an integer from 0 to ${MAX_SLOTS} (the number of hashes waiting for a slot)`);
  }
  const maxWaitMs: unknown = options.maxWaitMs ?? 2000;
  if (typeof maxWaitMs !== 'number' || !Number.isInteger(maxWaitMs) || maxWaitMs < 0 || maxWaitMs > 2 ** 31 - 1) {
    throw new ConfigurationError('hashingBound: maxWaitMs must be an integer number of milliseconds (0 for no limit)');
  }
  let active = 0;
  // A FIFO in insertion order: the first is the oldest. A waiter whose time runs out
  // leaves it at once, so hung slots cannot make it grow beyond `queue`.
  const waiters = new Set<Waiter>();

  const release = (): void => {
    active--;
    for (const next of waiters) {
      waiters.delete(next);
      clearTimeout(next.timer);
      next.go();
      return;
    }
  };

  function start<T>(task: () => Promise<T>): Promise<T> {
    active++;
    let running: Promise<T>;
    try {
      running = Promise.resolve(task());
    } catch (error) {
      running = Promise.reject(error);
    }
    return running.finally(release);
  }

  return Object.freeze({
    concurrency,
    queue,
    maxWaitMs,
    get active() {
      return active;
    },
    get waiting() {
      return waiters.size;
    },
    run<T>(task: () => Promise<T>): Promise<T> {
      if (active < concurrency) return start(task);
      if (waiters.size >= queue) return Promise.reject(busy());
      return new Promise<T>((resolve, reject) => {
        const waiter: Waiter = { timer: undefined, go: () => void start(task).then(resolve, reject) };
        if (maxWaitMs > 0) {
          waiter.timer = setTimeout(() => {
            waiters.delete(waiter);
            reject(busy());
          }, maxWaitMs);
        }
        waiters.add(waiter);
      });
    },
  });
}

/** True for a {@link HashingBound} (an object with `run`), as opposed to its options. */
function isBound(value: HashingBound | HashingBoundOptions): value is HashingBound {
  return typeof (value as Partial<HashingBound>).run === 'function';
}

/**
 * `hasher` with its `hash` and `verify` run through a {@link HashingBound}: at most
 * `concurrency` at once, a bounded FIFO queue, and beyond it an immediate rejection
 * with a `HashingError` `hasher_busy` (nothing hashed). `passwordBackend` answers that
 * with 503 `backend_busy` and `Retry-After`, the OAuth2 token endpoint with 503
 * `temporarily_unavailable`; the dummy verification of unknown users passes through
 * the same bound, so a full queue refuses known and unknown users alike.
 * `hashSync`/`verifySync` are passed through unbounded (they run on the caller's
 * thread, one at a time). The Node hashers of `@portcullis/hashers` are bounded by
 * default; use this for others (PBKDF2 on Web Crypto, a custom hasher).
 *
 * @throws {ConfigurationError} when `hasher` is not a Hasher or the options are unusable.
 * @example
 * ```ts
 * import { boundedHasher, pbkdf2Hasher } from '@portcullis/core/hashing';
 * import { passwordBackend } from '@portcullis/core';
 *
 * const hasher = boundedHasher(pbkdf2Hasher(), { concurrency: 4, queue: 16 });
 * const backend = passwordBackend({ findUser, passwordHashOf: (u) => u.hash, hasher });
 * ```
 */
export function boundedHasher(hasher: Hasher, bound: HashingBound | HashingBoundOptions): Hasher {
  if (typeof hasher?.hash !== 'function' || typeof hasher.verify !== 'function' || typeof hasher.identifies !== 'function') {
    throw new ConfigurationError('boundedHasher: the first argument must be a Hasher (hash, verify, identifies)');
  }
  if (bound === null || typeof bound !== 'object') throw new ConfigurationError('boundedHasher: give a hashingBound(...) or { concurrency, queue }');
  const slots = isBound(bound) ? bound : hashingBound(bound);
  const { hashSync, verifySync, maxPasswordBytes, peppered } = hasher;
  return Object.freeze({
    id: hasher.id,
    identifies: (stored: string) => hasher.identifies(stored),
    hash: (password: string) => slots.run(() => hasher.hash(password)),
    verify: (password: string, stored: string) => slots.run(() => hasher.verify(password, stored)),
    ...(maxPasswordBytes === undefined ? {} : { maxPasswordBytes }),
    ...(peppered === undefined ? {} : { peppered }),
    ...(hashSync === undefined ? {} : { hashSync: (password: string) => hashSync.call(hasher, password) }),
    ...(verifySync === undefined ? {} : { verifySync: (password: string, stored: string) => verifySync.call(hasher, password, stored) }),
  });
}
