import express, { type Express } from 'express';
import { basicAuth } from '@portcullis/core';
import { authentication, requires } from '@portcullis/express';
import { users } from './users.js';

export function createApp(): Express {
  const app = express();
  app.use(authentication({ backend: basicAuth({ verify: (username, password) => users.verify(username, password), realm: 'api' }) }));
  app.get('/', (req, res) => {
    // Every request has a user: anonymous ones are not authenticated.
    res.type('text/plain').send(req.user.isAuthenticated ? `Hello, ${req.user.displayName}` : 'Hello, you');
  });
  // 401 with the Basic challenge until credentials arrive (the default for a guard is 403).
  app.get('/me', requires('authenticated', { status: 401 }), (req, res) => {
    res.json({ name: req.user.displayName });
  });
  return app;
}
