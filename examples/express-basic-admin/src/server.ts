import { randomBytes } from 'node:crypto';
import { listenAddress, listening } from '@portcullis/example-startup';
import { createApp } from './app.js';

const username = process.env.PORTCULLIS_ADMIN_USER || 'admin';
let password = process.env.PORTCULLIS_ADMIN_PASSWORD;
const generated = !password;
if (!password) password = randomBytes(18).toString('base64url');

// PORT (0–65535, default 3000) and HOST (default 127.0.0.1); a bad value exits 1.
const address = listenAddress();

const server = createApp({ username, password }).listen(address.port, address.host);
// A busy port or a foreign HOST exits 1 here, before any password is printed.
const url = await listening(server, address);
console.log(`Portcullis demo (Express + Basic) on ${url}`);
if (generated) {
  console.log(`Generated admin password (set PORTCULLIS_ADMIN_PASSWORD to choose one):`);
  console.log(`  user: ${username}`);
  console.log(`  password: ${password}`);
}
console.log(`Try:  curl -i ${url}/login`);
console.log(`      curl -i -u ${username}:<password> ${url}/admin`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
