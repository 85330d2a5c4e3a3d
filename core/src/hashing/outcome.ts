import type { VerifyOutcome } from './hasher.js';

/** A failed verification. Frozen: callers can't share state through it. @internal */
export const FAILED: VerifyOutcome = Object.freeze({ ok: false, needsRehash: false });

/** A stored hash refused for parameters beyond the safe maxima (DOS-13). Frozen. @internal */
export const REFUSED: VerifyOutcome = Object.freeze({ ok: false, needsRehash: false, refused: 'hash_parameters_refused' });

/** A verification outcome as a fresh frozen value. @internal */
export function outcome(ok: boolean, needsRehash: boolean): VerifyOutcome {
  return ok ? Object.freeze({ ok: true, needsRehash }) : FAILED;
}
