import express, { type Express } from 'express';
import { basicAuth } from '@portcullis/core';
import { authentication } from '@portcullis/express';
import { users } from './users.js';

export function createApp(): Express {
  const app = express();
  app.use(
    authentication({
      backend: basicAuth({ verify: (username, password) => users.verify(username, password), realm: 'api' }),
      mode: 'required', // like app.use(basicAuth(...)): every route needs a user
    }),
  );
  app.get('/me', (req, res) => {
    res.json({ name: req.user.displayName });
  });
  return app;
}
