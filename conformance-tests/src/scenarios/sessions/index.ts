import type { Scenario } from '../../scenario.js';

/** Session scenarios (adapters declaring `sessions`). */
export const sessionScenarios: readonly Scenario[] = [];
