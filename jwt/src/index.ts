// @portcullis/jwt: JWT (header and cookie) and the OAuth2 password flow on jose.
// Web-standard only: no `node:` import, runs on Node and on edge runtimes.
export type { JwtAlgorithm } from './algorithms.js';
export type { JwtErrorCode } from './errors.js';
export { JwtError, isJwtError } from './errors.js';
export type { Token } from './token.js';
export { JwtCredentials, tokenOf } from './token.js';
export type { JwtKey, JwtKeyOptions, KeyInput } from './keys.js';
export type { RemoteJwksOptions } from './jwks.js';
export type { JwtOptions, JwtScopes, RetrieveUser } from './jwt-options.js';
export type { FingerprintOptions } from './fingerprint.js';
export type { IssueOptions, IssuedToken } from './issue-token.js';
export type { JwtAuth, JwtAuthOptions, JwtBackend, LoginOptions } from './jwt-auth.js';
export { jwtAuth } from './jwt-auth.js';
export type { JwtCookieAuth, JwtCookieAuthOptions, JwtCookieOptions } from './cookie-auth.js';
export type { CsrfOptions } from './cross-site.js';
export { jwtCookieAuth } from './cookie-auth.js';
export type { OAuth2PasswordBearer, OAuth2PasswordBearerOptions, TokenEndpoint, RequestBody, VerifyCredentials } from './oauth2.js';
export { oauth2PasswordBearer } from './oauth2.js';
export type { RefreshTokenOptions, RefreshCookieOptions } from './refresh-tokens.js';
export type { RefreshTokenStore, RefreshFamily, RotateResult, MemoryRefreshTokenStoreOptions } from './refresh-store.js';
export { MemoryRefreshTokenStore } from './refresh-store.js';
export type { LoginThrottle, MemoryThrottleOptions } from './throttle.js';
export { memoryThrottle } from './throttle.js';
export type { RevocationStore, RevocationStatus } from './revocation.js';
export { MemoryRevocationStore } from './revocation.js';
export type { SecurityScheme, SecuritySchemeEntry, OpenApiDocument, WithSecurityOptions } from './openapi.js';
export { withSecurity } from './openapi.js';
