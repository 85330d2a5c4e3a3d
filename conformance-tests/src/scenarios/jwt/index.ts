import type { Scenario } from '../../scenario.js';

/** JWT, cookie JWT and OAuth2 password-flow scenarios. */
export const jwtScenarios: readonly Scenario[] = [];
