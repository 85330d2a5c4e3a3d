/**
 * `@portcullis/koa/sessions`: server-side sessions on koa-session, opt-in.
 *
 * A separate entry point so that `@portcullis/koa` alone does not load
 * koa-session: only an app that imports this subpath (and installs the
 * optional peer `koa-session`) needs it.
 *
 * @example
 * ```ts
 * import Koa from 'koa';
 * import { MemorySessionStore, sessionAuth } from '@portcullis/core';
 * import { authentication } from '@portcullis/koa';
 * import { koaSessionStore, login, logout, sessions } from '@portcullis/koa/sessions';
 *
 * const app = new Koa();
 * app.use(sessions(app, { secret: process.env.SESSION_SECRET!, store: koaSessionStore(new MemorySessionStore()) }));
 * app.use(authentication({ backend: sessionAuth({ retrieveUser: findUser }) }));
 * ```
 *
 * @module
 */
export type { KoaSessionsOptions } from './session.js';
export { sessions, login, logout, assertCanLogin, csrfToken, sessionOpener } from './session.js';
export type { KoaSessionStoreOptions } from './session-store.js';
export { KoaSessionStore, koaSessionStore } from './session-store.js';
