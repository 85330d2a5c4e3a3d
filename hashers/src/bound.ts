import { boundedHasher, ConfigurationError, hashingBound, type Hasher, type HashingBound, type HashingBoundOptions } from '@portcullis/core/hashing';

/**
 * The `bound` option of the Node hashers: a {@link HashingBound} to share, the options
 * of a new one, or `false` for none. Default: {@link nodeHashingBound}, one for the
 * whole process.
 */
export type BoundOption = HashingBound | HashingBoundOptions | false;

let shared: HashingBound | undefined;

/** libuv's thread pool size: `UV_THREADPOOL_SIZE` as Node reads it (1..1024), else 4. */
function threadPoolSize(): number {
  const size = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10);
  return Number.isInteger(size) && size >= 1 ? Math.min(size, 1024) : 4;
}

/**
 * The process-wide {@link HashingBound} every Node hasher uses unless given its own
 * `bound`: as many slots as libuv's thread pool has threads (`UV_THREADPOOL_SIZE`,
 * default 4; read once, when first asked), a queue of four times that, and 2 s at
 * most in it. A hash
 * beyond it is refused at once with `hasher_busy` (503 `backend_busy` from
 * `passwordBackend`). Read `active` and `waiting` for metrics; give it to
 * `boundedHasher` to put another hasher under the same limit.
 *
 * @example
 * ```ts
 * import { boundedHasher, nodeHashingBound, pbkdf2Hasher } from '@portcullis/hashers';
 *
 * const pbkdf2 = boundedHasher(pbkdf2Hasher(), nodeHashingBound()); // Node's Web Crypto uses the same pool
 * setInterval(() => metrics.gauge('hashing.waiting', nodeHashingBound().waiting), 10_000);
 * ```
 */
export function nodeHashingBound(): HashingBound {
  return (shared ??= hashingBound({ concurrency: threadPoolSize() }));
}

/** The bound a hasher's `bound` option asks for, or `false` for none; checked at construction. @internal */
export function resolveBound(where: string, option: BoundOption | undefined): HashingBound | false {
  if (option === undefined) return nodeHashingBound();
  if (option === false) return false;
  if (option === null || typeof option !== 'object') {
    throw new ConfigurationError(`${where}: bound must be a hashingBound(...), { concurrency, queue } or false (unbounded)`);
  }
  return typeof (option as Partial<HashingBound>).run === 'function' ? (option as HashingBound) : hashingBound(option);
}

/** `hasher` under `bound`, or as it is for `false`. @internal */
export function withBound(hasher: Hasher, bound: HashingBound | false): Hasher {
  return bound === false ? hasher : boundedHasher(hasher, bound);
}
