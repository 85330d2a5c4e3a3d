import { randomBytes } from 'node:crypto';
import { listenAddress, listening } from '@portcullis/example-startup';
import { createApp } from './app.js';

const username = process.env.PORTCULLIS_BASIC_USER || 'alice';
let password = process.env.PORTCULLIS_BASIC_PASSWORD;
const generated = !password;
if (!password) password = randomBytes(18).toString('base64url');

// PORT (0–65535, default 3000) and HOST (default 127.0.0.1); a bad value exits 1.
const address = listenAddress();

const { app, ownerToken } = await createApp({ basic: { username, password } });

const server = app.listen(address.port, address.host);
// A busy port or a foreign HOST exits 1 here, before the token or a password is printed.
const url = await listening(server, address);
console.log(`Portcullis demo (Koa + Token or Basic) on ${url}`);
// Printed once: the store keeps only its SHA-256 digest, so it cannot be shown again.
console.log(`Token for bob (valid until the server stops):`);
console.log(`  token: ${ownerToken}`);
if (generated) {
  console.log(`Generated Basic password (set PORTCULLIS_BASIC_PASSWORD to choose one):`);
  console.log(`  user: ${username}`);
  console.log(`  password: ${password}`);
}
console.log(`Try:  curl -i ${url}/protected`);
console.log(`      curl -i -H 'Authorization: Token <token>' ${url}/protected`);
console.log(`      curl -i -u ${username}:<password> ${url}/protected`);
console.log(`      curl -i -X POST -u ${username}:<password> ${url}/tokens`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
