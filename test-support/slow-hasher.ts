/**
 * A fake password hasher whose computations wait until the test releases them, with a
 * gauge of how many compute at once: for the tests of bounded hashing (THR-16), where
 * a real KDF's timing would make "how many are in flight" a race.
 */
import type { Hasher, VerifyOutcome } from '../core/src/hashing/hasher.js';

/** A slow hasher and its controls. Its hashes are `slow$<password>`. */
export interface SlowHasher {
  /** The hasher: `hash` and `verify` wait for {@link release}; `verifySync` answers at once. */
  readonly hasher: Hasher;
  /** How many times `hash` or `verify` started computing. */
  readonly calls: number;
  /** How many compute now. */
  readonly inFlight: number;
  /** The most that ever computed at once. */
  readonly maxInFlight: number;
  /** Lets every computation started so far finish. */
  release(): void;
}

/** A new {@link SlowHasher}. */
export function slowHasher(): SlowHasher {
  let calls = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let open!: () => void;
  let opened = new Promise<void>((resolve) => (open = resolve));
  const compute = async <T>(value: T): Promise<T> => {
    calls++;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await opened;
    inFlight--;
    return value;
  };
  const outcome = (password: string, stored: string): VerifyOutcome => ({ ok: stored === `slow$${password}`, needsRehash: false });
  return {
    hasher: {
      id: 'slow',
      maxPasswordBytes: 64,
      identifies: (stored) => stored.startsWith('slow$'),
      hash: (password) => compute(`slow$${password}`),
      verify: (password, stored) => compute(outcome(password, stored)),
      verifySync: outcome,
    },
    get calls() {
      return calls;
    },
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    release() {
      open();
      opened = new Promise<void>((resolve) => (open = resolve));
    },
  };
}
