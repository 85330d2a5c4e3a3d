/**
 * A value, or a promise of it: what a hook returns when it may answer synchronously
 * (a backend with an in-memory table) or asynchronously (one with a database). The
 * core keeps sync answers sync, so a cheap credential costs no microtask.
 *
 * @example
 * ```ts
 * import type { MaybePromise } from '@portcullis/core/adapter';
 * interface UserLookup<U> {
 *   findUser(name: string): MaybePromise<U | null>;
 * }
 * ```
 */
export type MaybePromise<T> = T | Promise<T>;

const nativeThen = Promise.prototype.then;

/**
 * `promise.then(onFulfilled, onRejected)`, always a native `Promise`: a subclass's
 * `Symbol.species` (or an own `then`) cannot make the result something else. Callers
 * tell a pending answer from a ready one with `instanceof Promise`, so a species that
 * is a plain thenable would have been read as a ready decision (fail open).
 */
export function thenNative<T, R>(promise: Promise<T>, onFulfilled: (value: T) => R | PromiseLike<R>, onRejected: (reason: unknown) => R | PromiseLike<R>): Promise<R> {
  return nativeThen.call(promise.constructor === Promise ? promise : Promise.resolve(promise), onFulfilled, onRejected) as Promise<R>;
}
