export type { BaseUser } from './user.js';
export { SimpleUser, UnauthenticatedUser, ANONYMOUS } from './user.js';
export { AuthCredentials, NO_CREDENTIALS } from './credentials.js';
export type { AuthenticationErrorCode, ConfigurationErrorCode, PortcullisErrorCode } from './errors.js';
export { PortcullisError, AuthenticationError, ConfigurationError, isAuthenticationError, messageOf } from './errors.js';
export type { Connection, ConnectionInit } from './connection.js';
export { createConnection, parseCookies } from './connection.js';
export type { AuthenticationBackend, AuthenticateResult, Principal, UserOf } from './backend.js';
export type { ResponseDescription, Outcome } from './response.js';
export { describe, reasonPhrase, statusOfError, prefersJson, isBrowserNavigation } from './response.js';
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
export type { RequestStates } from './request-state.js';
export { requestStates } from './request-state.js';
