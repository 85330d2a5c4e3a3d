/**
 * `@portcullis/express/sessions`: server-side sessions on express-session, opt-in.
 *
 * A separate entry point so that `@portcullis/express` alone brings neither
 * express-session nor its global `req.session` type: only an app that imports
 * this subpath (and installs the optional peers `express-session` and
 * `@types/express-session`) gets them.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { MemorySessionStore, sessionAuth } from '@portcullis/core';
 * import { authentication } from '@portcullis/express';
 * import { expressSessionStore, login, logout, sessionErrors, sessions } from '@portcullis/express/sessions';
 *
 * const app = express();
 * app.use(sessions({ secret: process.env.SESSION_SECRET!, store: expressSessionStore(new MemorySessionStore()) }));
 * app.use(authentication({ backend: sessionAuth({ retrieveUser: findUser }) }));
 * ```
 *
 * @module
 */
export type { ExpressSessionsOptions } from './session.js';
export { sessions, login, logout, assertCanLogin, csrfToken, sessionErrors, sessionOpener } from './session.js';
export type { ExpressSessionStoreOptions } from './session-store.js';
export { ExpressSessionStore, expressSessionStore } from './session-store.js';
