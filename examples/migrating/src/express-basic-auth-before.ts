import express, { type Express } from 'express';
import basicAuth from 'express-basic-auth';
import { users } from './users.js';

export function createApp(): Express {
  const app = express();
  app.use(
    basicAuth({
      authorizer: (username: string, password: string) => users.verify(username, password) !== null,
      challenge: true,
      realm: 'api',
    }),
  );
  app.get('/me', (req, res) => {
    // `as unknown`: only because this file is compiled beside @portcullis/express, whose req.auth is typed
    res.json({ name: (req as unknown as basicAuth.IBasicAuthedRequest).auth.user });
  });
  return app;
}
