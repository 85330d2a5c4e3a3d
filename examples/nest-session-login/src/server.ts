import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { listenAddress, listening } from '@portcullis/example-startup';
import { createApp } from './app.js';

const platform = process.env.NEST_PLATFORM === 'fastify' ? 'fastify' : 'express';
let secret = process.env.SESSION_SECRET;
if (!secret) {
  secret = randomBytes(32).toString('base64url');
  console.log('SESSION_SECRET is not set: using a random one (sessions end with the process).');
}
const username = process.env.DEMO_USER || 'alice';
let password = process.env.DEMO_PASSWORD;
const generated = !password;
if (!password) password = randomBytes(12).toString('base64url');
// Plain HTTP on your machine: NODE_ENV=development turns Secure cookies off (the cookie is then `id`, not `__Host-id`).
const secure = process.env.NODE_ENV !== 'development';
const address = listenAddress();

const app = await createApp(platform, { secret, account: { username, password }, secure });
const server = app.getHttpServer() as Server;
server.listen(address.port, address.host);
const url = await listening(server, address); // exits 1 on EADDRINUSE, before anything below
console.log(`nest-session-login (Nest on ${platform}) on ${url}${secure ? ' (Secure cookies: serve it behind HTTPS)' : ''}`);
if (generated) {
  console.log('Generated demo password (set DEMO_PASSWORD to choose one):');
  console.log(`  user: ${username}`);
  console.log(`  password: ${password}`);
}
console.log(`Open ${url}/account`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void app.close().then(() => process.exit(0)));
