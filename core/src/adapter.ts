/**
 * `@portcullis/core/adapter`: the face for adapter and package authors. The decision
 * machine (`createConnection` → `createAuthenticator` → `createGuard` → the response
 * table), request state, the session port and Web sessions, the session gate, and the
 * helpers `@portcullis/jwt`, the stores and the conformance suite share. Apps import
 * from `@portcullis/core`; the few names both need (`Connection`,
 * `ResponseDescription`, `hasControlCharacters`, `timingSafeEqual`) are in both.
 * `faces.test.ts` pins both lists.
 *
 * @example
 * ```ts
 * import { basicAuth, type Connection, type ResponseDescription } from '@portcullis/core';
 * import { createAuthenticator, createConnection, createGuard } from '@portcullis/core/adapter';
 *
 * const authenticator = createAuthenticator({ backend: basicAuth({ verify }) });
 * const guard = createGuard('admin');
 *
 * async function decide(connection: Connection): Promise<ResponseDescription | null> {
 *   const decision = await authenticator.run(connection);              // sync when the backend is
 *   if (decision.type === 'respond') return decision.response;         // the table's answer
 *   return guard.check(connection, { ...decision, challenges: authenticator.challenges }); // null: go on
 * }
 * decide(createConnection({ method: 'GET', target: '/admin', header: () => undefined }));
 * ```
 *
 * @packageDocumentation
 */
// #region face
export type { MaybePromise } from './maybe-promise.js';
export type { Addressing, Connection, ConnectionInit, HeaderReader } from './connection.js';
export { addressingOf, createConnection, createConnectionFrom, cookieValue, parseCookies, authorizationFromRawHeaders } from './connection.js';
export type { TrustedProxies } from './client-address.js';
export { compileTrustedProxies, normalizeAddress, runtimePeerAddress, socketPeerAddress } from './client-address.js';
export { isWebSocketUpgrade, isWebSocketUpgradeValue } from './upgrade.js';
export type { ResponseDescription, Outcome, FixedOutcome, OAuth2ErrorCode, StepUpOutcome } from './response.js';
export { responseFor, fixedResponse, describe, reasonPhrase, statusOfError, prefersJson, isBrowserNavigation, upgradeRefusal, metadataResponse } from './response.js';
export type { Authenticator, AuthDecision, Proceed, Respond } from './authenticator.js';
export { createAuthenticator, escapeForLog, logFailure } from './authenticator.js';
export type { Guard, GuardState } from './guard.js';
export { createGuard } from './guard.js';
export { compileExclude, isCanonical } from './exclude.js';
export type { AuthorizationValue } from './authorization.js';
export {
  readAuthorization,
  decodeBase64Strict,
  decodeUtf8Strict,
  hasControlCharacters,
  hasScheme,
  quoteRealm,
  MAX_AUTHORIZATION_LENGTH,
} from './authorization.js';
export { parseBasic } from './basic.js';
export type { BearerScheme, BearerErrorDescription, BearerSchemeOptions } from './bearer.js';
export { bearerScheme } from './bearer.js';
export { backendName } from './backend-name.js';
export { timingSafeEqual, bytesEqual, base64urlEquals } from './timing.js';
export { sha256, hmacSha256, digestKey } from './sha256.js';
export { messageOf } from './errors.js';
export type { RequestStates } from './request-state.js';
export { requestStates, privateSlot } from './request-state.js';
export type { PrivateSlot, RequestStatesOptions } from './request-state.js';
export { formValues } from './form.js';
export type { SessionCookie } from './session/cookie.js';
export { sessionCookie, serializeSessionCookie, deletionCookie } from './session/cookie.js';
export { assertSessionStore, updateStored } from './session/store.js';
export { generateSessionId, isSessionId } from './session/id.js';
export type { CsrfConfig, SessionConfig } from './session/config.js';
export { sessionConfig, META_KEY } from './session/config.js';
export { exactOrigins, upgradeOriginAllowed } from './origins.js';
export type { SessionPort } from './session/port.js';
export { describeRouteError, describeSessionError } from './session/errors.js';
export type { SessionMeta, SessionState } from './session/state.js';
export { login, logout, assertCanLogin } from './session/state.js';
export { SESSION_NAMESPACE, namespacedData, copySessionData } from './session/namespace.js';
export { csrfToken, verifyCsrfToken, formField, isUrlencoded, requestFormField } from './session/csrf.js';
export { sessionGate, sessionGateNow, sessionGatePasses } from './session/gate.js';
export { assertThrottleStore } from './throttle/store.js';
export type { LoginFlights, LoginFlightsOptions } from './login-flights.js';
export { loginFlights } from './login-flights.js';
export type { SecureRequestSource, WebSessionOptions, WebSessionRequest, WebSessionHandle, WebSessions } from './session/web-session.js';
export { webSessions, isSecureRequest, isSecureWebRequest } from './session/web-session.js';
export type { TicketOrigin } from './ws-tickets.js';
export { assertTicketStore, ticketOrigin } from './ws-tickets.js';
export type { SocketPrincipal, WatchSocketOptions, SocketWatch, ClosableSocket, RequestSocketWatch, RequestSocketOptions } from './ws-recheck.js';
export { recheckInterval, requiredRecheckInterval, recheckInit, recheckVerdict, recheckSocket, watchSocket, watchRequestSocket } from './ws-recheck.js';
export { protocolBearerToken, hasProtocolCarrier } from './ws-protocol.js';
// #endregion face
