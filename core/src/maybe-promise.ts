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
