import { randomBytes } from 'node:crypto';
import { listenAddress } from '@portcullis/example-startup';
import { createApp } from './app.js';

let password = process.env.PORTCULLIS_ADMIN_PASSWORD;
const generated = !password;
if (!password) password = randomBytes(18).toString('base64url');

// PORT (0–65535, default 3000) and HOST (default 127.0.0.1); a bad value exits 1.
const address = listenAddress();
const app = await createApp(new Map([['alice', { password, role: 'admin' }]]));
try {
  await app.listen({ port: address.port, host: address.host });
} catch (error) {
  console.error(`Cannot listen on ${address.host}:${address.port}: ${(error as Error).message}`);
  process.exit(1);
}
const { port } = app.server.address() as { port: number };
const url = `http://${address.host}:${port}`;
console.log(`Portcullis demo (Fastify + Basic + websocket) on ${url}`);
if (generated) console.log(`Generated password for alice (set PORTCULLIS_ADMIN_PASSWORD to choose one): ${password}`);
console.log(`Try:  curl -i -u alice:<password> ${url}/admin`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void app.close().then(() => process.exit(0)));
}
