import express, { type Express } from 'express';
import { MemorySessionStore, safeNext, sessionAuth } from '@portcullis/core';
import { authentication, requires } from '@portcullis/express';
import { expressSessionStore, login, logout, sessionErrors, sessions } from '@portcullis/express/sessions';
import { users } from './users.js';
import type { SessionAppOptions } from './session-settings.js';

const field = (value: unknown): string => (typeof value === 'string' ? value : '');

export function createApp(options: SessionAppOptions): Express {
  const app = express();
  app.use(express.urlencoded({ extended: false })); // before sessions(): it reads the _csrf field
  app.use(sessions({ secret: options.secret, store: expressSessionStore(new MemorySessionStore()), cookie: { secure: options.secure } }));
  app.use(
    authentication(
      sessionAuth({
        retrieveUser: (session) => (typeof session.user_id === 'string' ? users.byId(session.user_id) : null),
        mode: 'optional', // like passport.session(): anonymous requests go on; routes opt in with requires()
      }),
    ),
  );

  app.post('/login', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const user = users.verify(field(body.username), field(body.password));
    if (user === null) return res.status(401).type('text/plain').send('Wrong user name or password');
    await login(req, user, { user_id: user.id }); // always a new session id
    res.redirect(303, safeNext(field(body.next), '/account', { avoid: ['/login', '/logout'] }));
  });
  app.get('/account', requires('authenticated', { redirect: '/login' }), (req, res) => {
    res.type('text/plain').send(`Hello, ${req.user.displayName}`);
  });
  app.post('/logout', async (req, res) => {
    await logout(req); // destroys the session in the store
    res.redirect(303, '/login');
  });
  app.use(sessionErrors());
  return app;
}
