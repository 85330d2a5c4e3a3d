import { anonymousUser } from './anonymous-user.js';
import { basicChallenge } from './basic-challenge.js';
import { basicOk } from './basic-ok.js';
import { clientAddressDefault, clientAddressHops, clientAddressTrusted, clientAddressWebsocket } from './client-address.js';
import { basicColon, basicStrict } from './basic-strict.js';
import { classStyle, classStyleArguments } from './class-style.js';
import { customOnError } from './custom-on-error.js';
import { guardedAnonymous } from './guarded-anonymous.js';
import { headerCase } from './header-case.js';
import { headRequests } from './head-requests.js';
import { loginNext } from './login-next.js';
import { malformedCredentials } from './malformed-credentials.js';
import { chainHalts, multiBackend } from './multi-backend.js';
import { allBackends } from './all-backends.js';
import { redirectNext } from './redirect-next.js';
import { requiredMode } from './required-mode.js';
import { severalScopes } from './several-scopes.js';
import { statusOverride } from './status-override.js';
import { tokenScheme } from './token-scheme.js';
import { websocket, websocketRequired } from './websocket.js';
import { apiKey } from './api-key.js';
import { bearerChain, bearerScheme } from './bearer-scheme.js';
import { failureLog, verificationCache } from './verification-cache.js';
import { hashingQueue } from './hashing-queue.js';
import { throttling } from './throttling.js';
import { jwtScenarios } from './jwt/index.js';
import { stepUpBearer } from './step-up.js';
import { sessionScenarios } from './sessions/index.js';
import type { Scenario } from '../scenario.js';

/** Every scenario, in the order of DESIGN.md's table, then the catalogue's rows. */
export const scenarios: readonly Scenario[] = Object.freeze([
  anonymousUser,
  basicOk,
  guardedAnonymous,
  severalScopes,
  statusOverride,
  redirectNext,
  loginNext,
  malformedCredentials,
  customOnError,
  basicChallenge,
  classStyle,
  classStyleArguments,
  websocket,
  websocketRequired,
  tokenScheme,
  multiBackend,
  chainHalts,
  allBackends,
  headerCase,
  headRequests,
  basicStrict,
  basicColon,
  requiredMode,
  bearerScheme,
  bearerChain,
  apiKey,
  verificationCache,
  failureLog,
  hashingQueue,
  clientAddressDefault,
  clientAddressTrusted,
  clientAddressHops,
  clientAddressWebsocket,
  throttling,
  ...jwtScenarios,
  stepUpBearer,
  ...sessionScenarios,
]);

