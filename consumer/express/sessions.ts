// Express 5 + sessions on express-session (through a Portcullis store): POST /login
// logs in with a new session id, GET /me needs the session, POST /logout destroys it.
import express from 'express';
import { MemorySessionStore, SimpleUser, sessionAuth } from '@portcullis/core';
import { authentication, requires } from '@portcullis/express';
import { expressSessionStore, login, logout, sessionErrors, sessions } from '@portcullis/express/sessions';
import { announce, port } from './listen.js';

const members = new Map([['frank', new SimpleUser('frank')]]);

const app = express();
app.use(express.urlencoded({ extended: false, limit: '16kb' }));
app.use(
  sessions({
    secret: 'a consumer-test secret of 32+ chars',
    store: expressSessionStore(new MemorySessionStore()),
    cookie: { secure: false },
  }),
);
app.use(
  authentication(
    sessionAuth<SimpleUser>({
      retrieveUser: (session) => members.get(String(session['user_id'])) ?? null,
      mode: 'optional',
    }),
  ),
);
app.post('/login', async (req, res) => {
  const body: unknown = req.body;
  const form = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const user = members.get(String(form['username']));
  if (user === undefined || form['password'] !== 'letmein') {
    res.status(401).type('text/plain').send('Wrong username or password');
    return;
  }
  await login(req, user, { user_id: user.identity });
  res.type('text/plain').send(`Logged in as ${user.displayName}`);
});
app.post('/logout', async (req, res) => {
  await logout(req);
  res.status(204).end();
});
app.get('/me', requires('authenticated', { status: 401 }), (req, res) => {
  res.json({ user: req.user.displayName });
});
app.use(sessionErrors());
announce(app.listen(port, '127.0.0.1'));
