import type { Scenario } from '../../scenario.js';
import { jwtExcludedPaths } from './excluded-paths.js';
import { jwtHeader } from './jwt-auth.js';
import { jwtCookie } from './jwt-cookie.js';
import { jwtJwks } from './jwks.js';
import { jwtJwksUnavailable } from './jwks-unavailable.js';
import { oauth2Login } from './oauth2-login.js';
import { oauth2Password } from './oauth2-password.js';
import { oauth2Refresh } from './oauth2-refresh.js';

/** JWT, cookie JWT and OAuth2 password-flow scenarios. */
export const jwtScenarios: readonly Scenario[] = [
  jwtHeader,
  jwtCookie,
  oauth2Password,
  oauth2Refresh,
  oauth2Login,
  jwtExcludedPaths,
  jwtJwks,
  jwtJwksUnavailable,
];
