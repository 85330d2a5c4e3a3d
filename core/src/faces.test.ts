import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The two entry points of @portcullis/core, pinned: `.` (index.ts) for apps,
// `./adapter` (adapter.ts) for adapter and package authors. A name added to or
// removed from a face fails here, so changing a face is a conscious decision (and a
// line in the changelog). See core/README.md for what belongs where.

const APP_VALUES = [
  'ANONYMOUS', 'AuthCredentials', 'all', 'AuthenticationError', 'ConfigurationError', 'MemorySessionStore',
  'MemoryTokenStore', 'NO_CREDENTIALS', 'PortcullisError', 'SessionError', 'SimpleUser',
  'UnauthenticatedUser', 'VerificationCache', 'apiKeyAuth', 'basicAuth', 'bearerAuth',
  'hasControlCharacters', 'hashToken', 'hashedTokens', 'isAuthenticationError', 'isDenialStatus', 'isPortcullisError',
  'isSessionError', 'issueToken', 'multi', 'passwordBackend', 'protectedResourceMetadata', 'RESOURCE_METADATA_PATH', 'safeNext', 'saveSession', 'sessionAuth',
  'sessionData', 'staticTokens', 'timingSafeEqual', 'tokenAuth',
  'MemoryThrottleStore', 'loginThrottle', 'throttleWait', 'errorResponse',
  'webSocketTickets', 'MemoryTicketStore', 'BEARER_PROTOCOL_PREFIX', 'selectProtocol', 'webSocketClose',
];

const APP_TYPES = [
  'AllOptions', 'ApiKeyAuthOptions', 'AuthCredentialsOptions', 'AuthenticateResult', 'AuthenticationBackend', 'AuthenticationErrorCode',
  'AuthenticationErrorOptions', 'AuthenticationFailure', 'AuthenticationOptions', 'BaseUser',
  'BasicAuthOptions', 'BasicCredentials', 'BearerAuthOptions', 'ConfigurationErrorCode', 'Connection',
  'CsrfOptions', 'DenialStatus', 'ErrorHook', 'ForwardedHeader', 'Hasher', 'HashingErrorCode', 'JwtErrorCode', 'LoginOptions', 'MemorySessionStoreOptions', 'MultiOptions',
  'PasswordBackend', 'PasswordBackendOptions', 'PortcullisErrorCode', 'Principal', 'ProtectedResourceMetadata', 'ProtectedResourceMetadataOptions', 'RequiresOptions',
  'ResponseDescription', 'SafeNextOptions', 'ScopesOption', 'SecurityEventReason', 'SessionAuth',
  'SessionAuthOptions', 'SessionCookieOptions', 'SessionData', 'SessionErrorCode', 'SessionEvent',
  'SessionOptions', 'SessionStore', 'StepUpRequirement', 'TokenAuthOptions', 'TokenStore', 'TrustedProxiesOption', 'UserOf', 'VerificationCacheOptions',
  'VerifyOutcome', 'VerifyResult', 'ViaOf',
  'ThrottleStore', 'ThrottleRecord', 'ThrottleAnswer', 'ThrottleRule', 'MemoryThrottleStoreOptions', 'LoginAttempt', 'LoginThrottle', 'LoginThrottleOptions',
  'TicketStore', 'TicketRecord', 'MemoryTicketStoreOptions', 'WebSocketTicketsOptions', 'TicketBackendOptions', 'TicketRequestState',
  'WebSocketTickets', 'IssuedTicket', 'RecheckOptions', 'WebSocketClose', 'WebSocketCloseReason',
];

const ADAPTER_VALUES = [
  'MAX_AUTHORIZATION_LENGTH', 'META_KEY', 'SESSION_NAMESPACE', 'addressingOf', 'assertCanLogin', 'assertSessionStore', 'backendName',
  'authorizationFromRawHeaders', 'base64urlEquals', 'bearerScheme', 'bytesEqual', 'compileExclude', 'compileTrustedProxies', 'cookieValue', 'copySessionData',
  'createAuthenticator', 'createConnection', 'createConnectionFrom', 'createGuard', 'csrfToken', 'decodeBase64Strict',
  'decodeUtf8Strict', 'deletionCookie', 'describe', 'fixedResponse', 'describeRouteError', 'describeSessionError', 'digestKey', 'escapeForLog', 'exactOrigins', 'logFailure',
  'formField', 'formValues', 'generateSessionId', 'hasControlCharacters', 'hasScheme', 'hmacSha256',
  'isBrowserNavigation', 'isCanonical', 'isSecureRequest', 'isSecureWebRequest', 'isSessionId', 'isUrlencoded', 'isWebSocketUpgrade', 'isWebSocketUpgradeValue', 'login',
  'logout', 'messageOf', 'metadataResponse', 'namespacedData', 'normalizeAddress', 'parseBasic', 'parseCookies', 'prefersJson', 'quoteRealm',
  'privateSlot', 'readAuthorization', 'reasonPhrase', 'requestFormField', 'responseFor', 'requestStates', 'runtimePeerAddress', 'serializeSessionCookie', 'socketPeerAddress', 'sessionConfig',
  'sessionCookie', 'sessionGate', 'sessionGateNow', 'sessionGatePasses', 'sha256', 'statusOfError', 'timingSafeEqual', 'updateStored',
  'upgradeRefusal', 'verifyCsrfToken', 'webSessions',
  'assertThrottleStore', 'loginFlights',
  'assertTicketStore', 'ticketOrigin', 'recheckInterval', 'requiredRecheckInterval', 'recheckInit', 'recheckVerdict', 'recheckSocket', 'watchSocket', 'watchRequestSocket',
  'protocolBearerToken', 'hasProtocolCarrier', 'upgradeOriginAllowed',
];

const ADAPTER_TYPES = [
  'AuthDecision', 'Authenticator', 'AuthorizationValue', 'BearerErrorDescription', 'BearerScheme', 'BearerSchemeOptions',
  'Addressing', 'Connection', 'ConnectionInit', 'CsrfConfig', 'HeaderReader', 'Guard', 'GuardState', 'MaybePromise', 'Outcome', 'FixedOutcome', 'OAuth2ErrorCode',
  'PrivateSlot', 'Proceed', 'RequestStates', 'RequestStatesOptions', 'Respond', 'ResponseDescription', 'SessionConfig', 'SessionCookie',
  'SecureRequestSource', 'SessionMeta', 'SessionPort', 'SessionState', 'StepUpOutcome', 'TrustedProxies', 'WebSessionHandle', 'WebSessionOptions',
  'WebSessionRequest', 'WebSessions',
  'LoginFlights', 'LoginFlightsOptions',
  'TicketOrigin', 'SocketPrincipal', 'WatchSocketOptions', 'SocketWatch', 'ClosableSocket', 'RequestSocketWatch', 'RequestSocketOptions',
];

/** The names a face re-exports, read from its source: `export [type] { … } from '…';` only. */
function reExports(file: string): { values: string[]; types: string[]; rest: string } {
  const source = readFileSync(new URL(file, import.meta.url), 'utf8');
  const values: string[] = [];
  const types: string[] = [];
  const statement = /export\s+(type\s+)?\{([^}]*)\}\s+from\s+'\.\/[^']+\.js';/g;
  for (const [, isType, list] of source.matchAll(statement)) {
    const names = list!.split(',').map((name) => name.trim()).filter((name) => name !== '');
    (isType === undefined ? values : types).push(...names);
  }
  // What is left once comments and those statements are gone must be nothing:
  // no `export *`, no local declarations, no renamed or side-effect imports.
  const rest = source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
    .replace(statement, '')
    .trim();
  return { values: values.sort(), types: types.sort(), rest };
}

const sorted = (names: readonly string[]): string[] => [...names].sort();

describe('the two faces of @portcullis/core', () => {
  it('the app face (`@portcullis/core`) lists exactly the app-facing names', async () => {
    const face = reExports('./index.ts');
    expect(face.rest).toBe('');
    expect(face.values).toEqual(sorted(APP_VALUES));
    expect(face.types).toEqual(sorted(APP_TYPES));
    expect(Object.keys(await import('./index.js')).sort()).toEqual(sorted(APP_VALUES));
  });

  it('the adapter face (`@portcullis/core/adapter`) lists exactly the names for adapter and package authors', async () => {
    const face = reExports('./adapter.ts');
    expect(face.rest).toBe('');
    expect(face.values).toEqual(sorted(ADAPTER_VALUES));
    expect(face.types).toEqual(sorted(ADAPTER_TYPES));
    expect(Object.keys(await import('./adapter.js')).sort()).toEqual(sorted(ADAPTER_VALUES));
  });

  it('no name is listed twice in a face', () => {
    for (const list of [APP_VALUES, APP_TYPES, ADAPTER_VALUES, ADAPTER_TYPES]) {
      expect(new Set(list).size).toBe(list.length);
    }
  });

  it('the names in both faces are the few both audiences need', () => {
    const app = new Set([...APP_VALUES, ...APP_TYPES]);
    const shared = [...ADAPTER_VALUES, ...ADAPTER_TYPES].filter((name) => app.has(name)).sort();
    expect(shared).toEqual(['Connection', 'ResponseDescription', 'hasControlCharacters', 'timingSafeEqual']);
  });

  it('both entry points are in the package exports, as {types, default}', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      exports: Record<string, unknown>;
    };
    expect(manifest.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    expect(manifest.exports['./adapter']).toEqual({ types: './dist/adapter.d.ts', default: './dist/adapter.js' });
  });
});
