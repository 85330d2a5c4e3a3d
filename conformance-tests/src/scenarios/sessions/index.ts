import type { Scenario } from '../../scenario.js';
import { allWithSession } from './all-session.js';
import { anonymousWrites } from './anonymous.js';
import { productionCookie, insecureTransport } from './cookies.js';
import { csrf } from './csrf.js';
import { fixation } from './fixation.js';
import { memoryStores, type SessionStoreFactory } from './fixtures.js';
import { litestarExample } from './litestar.js';
import { cookieLifetime } from './cookie-lifetime.js';
import { cookieParsing } from './cookie-parsing.js';
import { logging, unknownIdLogging } from './logging.js';
import { storeOutage } from './outage.js';
import { redirectToLogin } from './redirect-login.js';
import { reservedKeys } from './reserved-keys.js';
import { timeouts } from './timeouts.js';
import { userState } from './users.js';
import { stepUpSession } from '../step-up.js';

export type { SessionStoreFactory } from './fixtures.js';

/**
 * The session scenarios (adapters declaring `sessions`), on stores made by
 * `stores`: the Litestar example, redirect-to-login, and the SES, CK and CSRF
 * rows of the security catalogue. `@portcullis/redis` runs them on Redis.
 *
 * @example
 * ```ts
 * runConformance({ name: 'hono + redis', supports: { sessions: true }, createApp, scenarios: sessionScenariosFor(redisStores) });
 * ```
 */
export function sessionScenariosFor(stores: SessionStoreFactory): readonly Scenario[] {
  return Object.freeze([
    litestarExample(stores),
    redirectToLogin(stores),
    fixation(stores),
    timeouts(stores),
    productionCookie(stores),
    insecureTransport(stores),
    csrf(stores),
    anonymousWrites(stores),
    storeOutage(stores),
    userState(stores),
    logging(stores),
    unknownIdLogging(stores),
    reservedKeys(stores),
    cookieLifetime(stores),
    cookieLifetime(stores, 3600),
    cookieParsing(stores),
    allWithSession(stores),
    stepUpSession(stores),
  ]);
}

/** Session scenarios (adapters declaring `sessions`), on the in-memory store. */
export const sessionScenarios: readonly Scenario[] = sessionScenariosFor(memoryStores);
