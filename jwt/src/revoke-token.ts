import type { BaseUser } from '@portcullis/core';
import { JwtError } from './errors.js';
import { issueNow, type JwtConfig } from './jwt-options.js';
import type { Token } from './token.js';

/**
 * Denylists one verified token (`(iss, jti)`) until it would have expired anyway
 * (`exp` plus the clock tolerance); an already expired token is left alone. Throws
 * `revocation_not_configured` without a revocation store, `invalid_issue_options` for
 * something that is not a token with `jti` and `iss`.
 */
export async function revokeToken<U extends BaseUser>(config: JwtConfig<U>, token: Token): Promise<void> {
  const { revocation } = config;
  if (revocation === undefined) throw new JwtError('revocation_not_configured');
  if (token === null || typeof token !== 'object' || typeof token.jti !== 'string' || typeof token.iss !== 'string') {
    throw new JwtError('invalid_issue_options');
  }
  const ttl = (token.exp + config.clockTolerance + 1) * 1000 - issueNow(config);
  if (ttl <= 0) return; // already expired for good
  await revocation.revoke(token.iss, token.jti, ttl);
}

/**
 * Refuses every token of `subject` issued before `at` (ms since the epoch, default
 * now), remembered as long as such a token can live. Throws
 * `revocation_not_configured` without a store, `invalid_issue_options` for an empty
 * subject or a non-finite `at`.
 */
export async function revokeSubject<U extends BaseUser>(config: JwtConfig<U>, subject: string, at?: number): Promise<void> {
  const { revocation } = config;
  if (revocation === undefined) throw new JwtError('revocation_not_configured');
  if (typeof subject !== 'string' || subject === '') throw new JwtError('invalid_issue_options');
  const notBefore = at ?? issueNow(config);
  if (typeof notBefore !== 'number' || !Number.isFinite(notBefore)) throw new JwtError('invalid_issue_options');
  await revocation.revokeSubject(config.issuer, subject, notBefore, config.subjectRetention);
}
