import { createApp } from './app.js';

const platform = process.env.NEST_PLATFORM === 'fastify' ? 'fastify' : 'express';
const secret = process.env.SESSION_SECRET;
if (secret === undefined || secret.length < 32) throw new Error('Set SESSION_SECRET to 32 or more random characters (openssl rand -base64 32)');
const app = await createApp(platform, {
  secret,
  account: { username: process.env.DEMO_USER ?? 'alice', password: process.env.DEMO_PASSWORD ?? 'change me' },
  // Plain HTTP on 127.0.0.1: the cookie is `id`, not `__Host-id` (which needs HTTPS). Never in production.
  secure: process.env.INSECURE_COOKIES !== '1',
});
await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
console.log(`nest-session-login (${platform}) on http://127.0.0.1:${process.env.PORT ?? 3000}/`);
