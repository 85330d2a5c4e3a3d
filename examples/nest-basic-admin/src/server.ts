import { createApp } from './app.js';

const platform = process.env.NEST_PLATFORM === 'fastify' ? 'fastify' : 'express';
const app = await createApp(platform, { username: process.env.ADMIN_USER ?? 'admin', password: process.env.ADMIN_PASSWORD ?? 'change me' });
await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
console.log(`nest-basic-admin (${platform}) on http://127.0.0.1:${process.env.PORT ?? 3000}/`);
