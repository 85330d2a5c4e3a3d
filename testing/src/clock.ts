import { ConfigurationError } from '@portcullis/core';
import { assertNotProduction } from './guard.js';

/** 2026-01-01T00:00:00Z: where {@link testClock} starts unless told otherwise. */
export const TEST_EPOCH = Date.UTC(2026, 0, 1);

/**
 * A frozen clock the test moves. It is itself a `() => number` (milliseconds since
 * the epoch), so it goes wherever Portcullis takes a clock: `authentication({ clock })`,
 * `jwtAuth({ clock })`, `sessions({ clock })`, `MemoryTokenStore({ clock })`,
 * `loginThrottle({ clock })`. `now` is the same function, bound, for APIs that
 * want a method.
 */
export interface TestClock {
  /** The current time of the clock, in ms since the epoch. */
  (): number;
  /** The current time of the clock, in ms since the epoch (the clock itself, bound). */
  readonly now: () => number;
  /** The current time in whole seconds (a JWT NumericDate). */
  seconds(): number;
  /** Moves the clock forward by `ms` (a non-negative, finite number). */
  advance(ms: number): void;
  /** Sets the clock to `time` (ms since the epoch, or a `Date`), forward or back. */
  set(time: number | Date): void;
  /** Puts the clock back where it started. */
  reset(): void;
}

function instant(time: number | Date, who: string): number {
  const ms = time instanceof Date ? time.getTime() : time;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new ConfigurationError(`${who}: the time must be a finite number of ms since the epoch or a valid Date`);
  return ms;
}

/**
 * A frozen, advanceable clock (see {@link TestClock}). Time stands still until
 * the test moves it, so expiry, idle timeouts and throttling windows are tested
 * without waiting and without `vi.useFakeTimers()` (which would also freeze the
 * timers of your HTTP server).
 *
 * @example
 * ```ts
 * const clock = testClock(Date.UTC(2026, 0, 1));
 * app.use(authentication({ backend: jwtAuth({ ...jwks.jwtOptions(), clock }), clock }));
 * clock.advance(15 * 60_000); // the token issued at T0 has now expired
 * ```
 */
export function testClock(start: number | Date = TEST_EPOCH): TestClock {
  assertNotProduction();
  const origin = instant(start, 'testClock');
  let t = origin;
  const now = (): number => t;
  return Object.freeze(
    Object.assign(() => t, {
      now,
      seconds: () => Math.floor(t / 1000),
      advance(ms: number) {
        if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
          throw new ConfigurationError('testClock.advance: ms must be a non-negative, finite number (use set() to go back)');
        }
        t += ms;
      },
      set(time: number | Date) {
        t = instant(time, 'testClock.set');
      },
      reset() {
        t = origin;
      },
    }),
  );
}
