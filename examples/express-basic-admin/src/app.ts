import express, { type Express } from 'express';
import { SimpleUser, basicAuth, safeNext, timingSafeEqual } from '@portcullis/core';
import { authentication, requires } from '@portcullis/express';

/** The one admin account of the demo. */
export interface AdminCredentials {
  readonly username: string;
  readonly password: string;
}

/**
 * `/login` challenges with Basic until the browser sends credentials, then sends
 * it on (303) to `next` or `/admin`; `/admin` answers who is signed in.
 */
export function createApp(admin: AdminCredentials): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(
    authentication({
      backend: basicAuth({
        realm: 'Portcullis admin',
        async verify(username, password) {
          // Both comparisons always run: no short-circuit on the username.
          const [u, p] = await Promise.all([
            timingSafeEqual(username, admin.username),
            timingSafeEqual(password, admin.password),
          ]);
          return u && p ? new SimpleUser(username) : null;
        },
      }),
    }),
  );

  app.get('/', (req, res) => {
    res.type('text/plain').send(req.user.isAuthenticated ? `Hello, ${req.user.displayName}` : 'Hello, you');
  });

  // 401 + WWW-Authenticate: Basic realm="Portcullis admin", charset="UTF-8" until credentials arrive.
  app.get('/login', requires('authenticated', { status: 401 }), (req, res) => {
    const next = safeNext(typeof req.query.next === 'string' ? req.query.next : undefined, '/admin', { avoid: ['/login'] });
    // The answer depends on the Authorization header: never cache it.
    res.status(303).set({ Location: next, 'Cache-Control': 'no-store' }).end();
  });

  // Browsers are sent to /login?next=/admin; API clients get 403.
  app.get('/admin', requires('authenticated', { redirect: '/login' }), (req, res) => {
    res.json({ authenticated: req.user.isAuthenticated, user: req.user.displayName });
  });

  return app;
}
