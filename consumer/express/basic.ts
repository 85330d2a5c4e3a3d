// Express 5 + Basic: an open route, a login route that challenges, a guarded admin page.
import express from 'express';
import { SimpleUser, basicAuth, timingSafeEqual } from '@portcullis/core';
import { authentication, requires } from '@portcullis/express';
import { announce, port } from './listen.js';

const app = express();
app.use(
  authentication({
    backend: basicAuth({
      realm: 'consumer',
      async verify(username, password) {
        const [u, p] = await Promise.all([timingSafeEqual(username, 'alice'), timingSafeEqual(password, 'wonderland')]);
        return u && p ? new SimpleUser(username) : null;
      },
    }),
  }),
);
app.get('/', (req, res) => {
  res.type('text/plain').send(req.user.isAuthenticated ? `Hello, ${req.user.displayName}` : 'Hello, you');
});
app.get('/login', requires('authenticated', { status: 401 }), (_req, res) => {
  res.status(303).set('Location', '/admin').end();
});
app.get('/admin', requires(['authenticated', 'admin'], { status: 404 }), (req, res) => {
  res.json({ user: req.user.displayName });
});
announce(app.listen(port, '127.0.0.1'));
