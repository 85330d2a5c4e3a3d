export type { BaseUser } from './user.js';
export { SimpleUser, UnauthenticatedUser, ANONYMOUS } from './user.js';
export { AuthCredentials, NO_CREDENTIALS } from './credentials.js';
export type { AuthenticationErrorCode, ConfigurationErrorCode, HashingErrorCode, JwtErrorCode, PortcullisErrorCode } from './errors.js';
export { PortcullisError, AuthenticationError, ConfigurationError, isPortcullisError, isAuthenticationError, messageOf } from './errors.js';
export type { Connection, ConnectionInit } from './connection.js';
export { createConnection, parseCookies, authorizationFromRawHeaders } from './connection.js';
export type { AuthenticationBackend, AuthenticateResult, Principal, UserOf } from './backend.js';
export type { MaybePromise } from './maybe-promise.js';
export type { ResponseDescription, Outcome, FixedOutcome, OAuth2ErrorCode } from './response.js';
export { responseFor, fixedResponse, describe, reasonPhrase, statusOfError, prefersJson, isBrowserNavigation, upgradeRefusal } from './response.js';
export type { AuthenticationOptions, Authenticator, AuthDecision, Proceed, Respond, ErrorHook } from './authenticator.js';
export { createAuthenticator } from './authenticator.js';
export type { Guard, GuardState, RequiresOptions } from './guard.js';
export { createGuard } from './guard.js';
export type { SafeNextOptions } from './safe-next.js';
export { safeNext } from './safe-next.js';
export { compileExclude, isCanonical } from './exclude.js';
export type { AuthorizationValue } from './authorization.js';
export {
  readAuthorization,
  decodeBase64Strict,
  decodeUtf8Strict,
  hasControlCharacters,
  quoteRealm,
  MAX_AUTHORIZATION_LENGTH,
} from './authorization.js';
export type { BasicAuthOptions, BasicCredentials } from './basic.js';
export { basicAuth, parseBasic } from './basic.js';
export type { TokenAuthOptions } from './token.js';
export { tokenAuth } from './token.js';
export { multi } from './multi.js';
export type { VerifyResult, ScopesOption } from './verify.js';
export { timingSafeEqual, bytesEqual } from './timing.js';
export { sha256, hmacSha256, digestKey } from './sha256.js';
export type { RequestStates } from './request-state.js';
export { requestStates } from './request-state.js';
export type { BearerAuthOptions, BearerScheme, BearerErrorDescription } from './bearer.js';
export { bearerAuth, bearerScheme } from './bearer.js';
export type { ApiKeyAuthOptions } from './api-key.js';
export { apiKeyAuth } from './api-key.js';
export type { TokenStore } from './tokens.js';
export { hashToken, issueToken, hashedTokens, staticTokens, MemoryTokenStore } from './tokens.js';
export type { VerificationCacheOptions } from './cache.js';
export { VerificationCache } from './cache.js';
export type { PasswordBackendOptions, PasswordBackend } from './password.js';
export { passwordBackend } from './password.js';
export type { AuthenticationFailure } from './authenticator.js';
export { escapeForLog } from './authenticator.js';
export type { AuthenticationErrorOptions, SecurityEventReason } from './errors.js';
export type { Hasher, VerifyOutcome } from './hashing/hasher.js';
export type { SessionErrorCode } from './errors.js';
export type { SessionCookieOptions, SessionCookie } from './session/cookie.js';
export { sessionCookie, serializeSessionCookie, deletionCookie } from './session/cookie.js';
export type { SessionData, SessionStore } from './session/store.js';
export { assertSessionStore, updateStored } from './session/store.js';
export type { MemorySessionStoreOptions } from './session/memory-store.js';
export { MemorySessionStore } from './session/memory-store.js';
export { generateSessionId, isSessionId } from './session/id.js';
export type { SessionOptions, CsrfOptions, CsrfConfig, SessionEvent, SessionConfig } from './session/config.js';
export { sessionConfig, META_KEY } from './session/config.js';
export type { SessionPort } from './session/port.js';
export { SessionError, isSessionError, describeSessionError } from './session/errors.js';
export type { SessionMeta, SessionState } from './session/state.js';
export { login, logout, sessionData, saveSession, assertCanLogin } from './session/state.js';
export { SESSION_NAMESPACE, namespacedData, copySessionData } from './session/namespace.js';
export type { SessionAuthOptions, SessionAuth } from './session/session-auth.js';
export { sessionAuth } from './session/session-auth.js';
export { csrfToken, verifyCsrfToken, formField, isUrlencoded } from './session/csrf.js';
export { formValues } from './form.js';
export { sessionGate } from './session/gate.js';
export type { WebSessionOptions, WebSessionRequest, WebSessionHandle, WebSessions } from './session/web-session.js';
export { webSessions, isSecureRequest } from './session/web-session.js';
