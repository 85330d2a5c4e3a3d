import { randomBytes } from 'node:crypto';
import { createApp } from './app.js';

let secret = process.env.SESSION_SECRET;
if (!secret) {
  secret = randomBytes(32).toString('base64url');
  console.log('SESSION_SECRET is not set: using a random one (CSRF tokens end with the process).');
}
// Plain HTTP on your machine: NODE_ENV=development turns Secure cookies off.
const secure = process.env.NODE_ENV !== 'development';
const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || '127.0.0.1';

const server = createApp({ secret, secure }).listen(port, host, () => {
  console.log(`Portcullis sessions (Koa + koa-session) on http://${host}:${port}${secure ? ' (Secure cookies: serve it behind HTTPS)' : ''}`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
