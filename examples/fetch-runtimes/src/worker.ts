// A Cloudflare Worker (workerd) routed by itty-router: `wrangler deploy src/worker.ts`.
// The router gets the request's user and credentials as its first extra argument.
import { SimpleUser } from '@portcullis/core';
import { requires, withAuth, type RequestAuth } from '@portcullis/fetch';
import { Router } from 'itty-router';
import { backendFor, DEMO_USERS } from './app.js';

/** The Worker's bindings (none used here: where a KV session store or secrets would come from). */
export interface Env {
  readonly GREETING?: string;
}

// #region worker
const router = Router<Request, [RequestAuth<SimpleUser>, Env]>();

router.get('/', (_request, { user }, env) => new Response(`${env.GREETING ?? 'Hello'}, ${user.isAuthenticated ? user.displayName : 'you'}`));
router.get('/admin', requires('admin')((_request, { user }) => Response.json({ admin: user.displayName })));
router.all('*', () => new Response('Not Found', { status: 404 }));

export default {
  fetch: withAuth((request, auth: RequestAuth<SimpleUser>, env: Env) => router.fetch(request, auth, env), { backend: backendFor(DEMO_USERS) }),
};
// #endregion worker
