// @portcullis/testing: the test kit for apps on Portcullis. Importing it throws
// under NODE_ENV=production (guard.ts). Express and Koa session credentials are
// in `@portcullis/testing/express` and `@portcullis/testing/koa`.
export { assertNotProduction, PRODUCTION_REFUSAL } from './guard.js';
export type { TestClock } from './clock.js';
export { testClock, TEST_EPOCH } from './clock.js';
export type { TestJwks, TestJwksAnswer, TestJwksOptions, TestJwksAlgorithm, TestSignOptions, TestJwksJwtOptions } from './jwks.js';
export { testJwks, EXPIRED_FOR } from './jwks.js';
export type { Credential, CredentialSource, LoginOptions, TokenLoginOptions, SessionLoginData } from './login.js';
export { loginAs, tokenLogin } from './login.js';
export type { WebSessionLoginOptions } from './web-sessions.js';
export { webSessionLogin } from './web-sessions.js';
