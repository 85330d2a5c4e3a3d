import { randomBytes } from 'node:crypto';
import { createApp, parseTrustProxy } from './app.js';

let secret = process.env.SESSION_SECRET;
if (!secret) {
  secret = randomBytes(32).toString('base64url');
  console.log('SESSION_SECRET is not set: using a random one (CSRF tokens end with the process).');
}
// Plain HTTP on your machine: NODE_ENV=development turns Secure cookies off.
const secure = process.env.NODE_ENV !== 'development';
// Behind a TLS-terminating proxy: TRUST_PROXY=1 believes its X-Forwarded-Proto.
const trustProxy = parseTrustProxy(process.env.TRUST_PROXY);
if (trustProxy === undefined) {
  console.error('TRUST_PROXY must be 1, true, 0 or false');
  process.exit(1);
}
const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || '127.0.0.1';

const server = createApp({ secret, secure, trustProxy }).listen(port, host, () => {
  console.log(`Portcullis sessions (Koa + koa-session) on http://${host}:${port}${secure ? ' (Secure cookies: serve it behind HTTPS)' : ''}`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
