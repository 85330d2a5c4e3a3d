import { randomBytes } from 'node:crypto';
import { connectRedisSessionStore } from '@portcullis/redis';
import { createApp, parseTrustProxy } from './app.js';

const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
let secret = process.env.SESSION_SECRET;
if (!secret) {
  secret = randomBytes(32).toString('base64url');
  console.log('SESSION_SECRET is not set: using a random one (sessions end with the process).');
}
const username = process.env.DEMO_USER || 'demo';
let password = process.env.DEMO_PASSWORD;
const generated = !password;
if (!password) password = randomBytes(12).toString('base64url');
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

const store = await connectRedisSessionStore({
  url: redisUrl,
  onError: (error) => console.error(`redis: ${error.message}`),
});
const app = await createApp({ store, secret, account: { username, password }, secure, trustProxy });
const server = app.listen(port, host, () => {
  const url = `http://${host}:${port}`;
  console.log(`Portcullis sessions (Express + Redis) on ${url}${secure ? ' (Secure cookies: serve it behind HTTPS)' : ''}`);
  if (generated) {
    console.log('Generated demo password (set DEMO_PASSWORD to choose one):');
    console.log(`  user: ${username}`);
    console.log(`  password: ${password}`);
  }
  console.log(`Open ${url}/account`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.close(() => void store.close().then(() => process.exit(0))));
}
