export type { AppSpec, RouteSpec, HandlerView, HandlerResult, Supports, AdapterUnderTest } from './spec.js';
export type { Scenario, Case, Client } from './scenario.js';
export type { ConformanceOptions } from './runner.js';
export { runConformance } from './runner.js';
export { scenarios } from './scenarios/index.js';
export type { RawResponse } from './raw.js';
export { rawRequest } from './raw.js';
export { DemoUser, USERS, basic, basicBackend, tokenBackend, hello, whoami, greeting, adminPage } from './fixtures.js';
