import { JwtError } from './errors.js';
import type { RevocationStore } from './revocation.js';
import type { Token } from './token.js';

/**
 * Asks the revocation store about a verified token, on every request (cache hits
 * included). Rejects with `token_revoked` when `(iss, jti)` is denylisted or the token
 * was issued before its subject's cut-off, and with `revocation_unavailable` (503,
 * fail closed) when the store throws or answers something that is not a
 * `RevocationStatus`.
 */
export async function checkRevocation(store: RevocationStore, token: Token): Promise<void> {
  let status: unknown;
  try {
    status = await store.status(token.iss, token.jti as string, token.sub);
  } catch (cause) {
    throw new JwtError('revocation_unavailable', { cause });
  }
  if (status === null || typeof status !== 'object') throw new JwtError('revocation_unavailable');
  const { revoked, notBefore } = status as { revoked?: unknown; notBefore?: unknown };
  if (revoked === true) throw new JwtError('token_revoked');
  if (revoked !== false) throw new JwtError('revocation_unavailable');
  if (notBefore !== undefined && notBefore !== null) {
    if (typeof notBefore !== 'number') throw new JwtError('revocation_unavailable');
    // NumericDates are whole seconds: a token issued in the second of the cut-off stays valid.
    if (token.iat === undefined || token.iat < Math.floor(notBefore / 1000)) throw new JwtError('token_revoked');
  }
}
