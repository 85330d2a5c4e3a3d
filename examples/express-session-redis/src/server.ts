import { randomBytes } from 'node:crypto';
import { connectRedisSessionStore } from '@portcullis/redis';
import { exitWith, listenAddress, listening, serviceUrl, trustProxyFromEnv } from '@portcullis/example-startup';
import { createApp } from './app.js';

// Checked before connecting: redis:// or rediss://, else exit 1 naming REDIS_URL.
const redis = serviceUrl('REDIS_URL', process.env.REDIS_URL || 'redis://127.0.0.1:6379', { schemes: ['redis', 'rediss'], defaultPort: 6379 });
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
// Behind a TLS-terminating proxy: TRUST_PROXY=1 believes its X-Forwarded-Proto (1/true/0/false, else exit 1).
const trustProxy = trustProxyFromEnv();
const address = listenAddress();

// Without Redis the server does not start: the first connection fails within seconds, and
// exits 1. Once connected, the client reconnects on its own; requests answer 503 meanwhile.
const store = await connectRedisSessionStore({
  url: redis.url,
  onError: (error) => console.error(`redis: ${error.message}`),
}).catch((error: unknown) => exitWith(`Cannot connect to Redis at ${redis.where}: start it, or set REDIS_URL (redis://[:password@]host:port)`, error));
const app = await createApp({ store, secret, account: { username, password }, secure, trustProxy });
const server = app.listen(address.port, address.host);
const url = await listening(server, address);
console.log(`Portcullis sessions (Express + Redis) on ${url}${secure ? ' (Secure cookies: serve it behind HTTPS)' : ''}`);
if (generated) {
  console.log('Generated demo password (set DEMO_PASSWORD to choose one):');
  console.log(`  user: ${username}`);
  console.log(`  password: ${password}`);
}
console.log(`Open ${url}/account`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.close(() => void store.close().then(() => process.exit(0))));
}
