import { randomBytes } from 'node:crypto';
import { listenAddress, listening, trustProxyFromEnv } from '@portcullis/example-startup';
import { createApp } from './app.js';

let secret = process.env.SESSION_SECRET;
if (!secret) {
  secret = randomBytes(32).toString('base64url');
  console.log('SESSION_SECRET is not set: using a random one (CSRF tokens end with the process).');
}
// Plain HTTP on your machine: NODE_ENV=development turns Secure cookies off.
const secure = process.env.NODE_ENV !== 'development';
// Behind a TLS-terminating proxy: TRUST_PROXY=1 believes its X-Forwarded-Proto (1/true/0/false, else exit 1).
const trustProxy = trustProxyFromEnv();
// PORT (0–65535, default 3000) and HOST (default 127.0.0.1); a bad value exits 1.
const address = listenAddress();

const server = createApp({ secret, secure, trustProxy }).listen(address.port, address.host);
// A busy port or a foreign HOST exits 1 here.
const url = await listening(server, address);
console.log(`Portcullis sessions (Koa + koa-session) on ${url}${secure ? ' (Secure cookies: serve it behind HTTPS)' : ''}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
