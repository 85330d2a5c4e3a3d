import type { BaseUser, Connection, ResponseDescription } from '@portcullis/core';
import { fixedResponse, type OAuth2ErrorCode } from '@portcullis/core/adapter';
import type { Engine } from './engine.js';
import type { RequestBody, TokenEndpoint } from './oauth2.js';
import type { FieldReader, RefreshTokens, SentToken } from './refresh-tokens.js';
import type { Token } from './token.js';

/** A longer `token` is refused before any verification or lookup. */
const MAX_TOKEN_LENGTH = 8192;
/** The compact JWS shape: what an access token of this backend looks like. */
const JWS = /^[\w-]+\.[\w-]+\.[\w-]*$/;

const error = (code: OAuth2ErrorCode): ResponseDescription => fixedResponse({ kind: 'oauth2_error', error: code });

/**
 * The RFC 7009 revocation endpoint of `oauth2PasswordBearer` (RT-12): a refresh
 * token revokes its family, a valid access token is denylisted (with a revocation
 * store; `unsupported_token_type` without one), and unknown or invalid tokens get
 * the same 200 (RFC 7009 §2.2: nothing to learn by probing). `formOf` is the token
 * endpoint's own request check (method, body, cross-site rule). @internal
 */
export function revocationEndpoint<U extends BaseUser>(
  engine: Engine<U>,
  refresh: RefreshTokens | undefined,
  formOf: (connection: Connection, body: RequestBody) => FieldReader | ResponseDescription,
): TokenEndpoint {
  async function handle(connection: Connection, body: RequestBody): Promise<ResponseDescription> {
    const field = formOf(connection, body);
    if (typeof field !== 'function') return field;
    if (field('token_type_hint') === undefined) return error('invalid_request'); // repeated
    const sent = read(connection, field);
    if (sent === null) return error('invalid_request');
    if ('answer' in sent) return sent.answer;
    const { token, fromCookie } = sent;
    if (token === '' || token.length > MAX_TOKEN_LENGTH) return error('invalid_request');
    const clear = fromCookie ? refresh?.clearCookie : undefined;
    const done = fixedResponse({ kind: 'token', body: {}, headers: clear === undefined ? {} : { 'set-cookie': clear } });
    try {
      if (refresh !== undefined && refresh.isRefreshToken(token)) {
        await refresh.revoke(token);
        return done;
      }
      // RFC 7009 §2.2.1: without a revocation store an access token (a JWS) cannot be revoked here; anything else is unknown.
      if (!engine.revocable) return JWS.test(token) ? error('unsupported_token_type') : done;
      let verified: Token;
      try {
        verified = await engine.verify(token);
      } catch {
        return done; // invalid, expired, or not ours: nothing to revoke
      }
      await engine.revoke(verified);
      return done;
    } catch {
      return error('temporarily_unavailable'); // the store failed: nothing reflected
    }
  }

  function read(connection: Connection, field: FieldReader): SentToken | null {
    if (refresh !== undefined) return refresh.read(connection, field, 'token');
    const token = field('token');
    if (token === undefined) return { answer: error('invalid_request') };
    return token === null ? null : { token, fromCookie: false };
  }

  return Object.freeze({ handle });
}
