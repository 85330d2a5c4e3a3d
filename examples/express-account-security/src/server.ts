import { randomBytes } from 'node:crypto';
import { exitWith, listenAddress, listening } from '@portcullis/example-startup';
import { createApp } from './app.js';

/** JWT_SECRET: base64url of at least 32 random bytes. Without it, a random one (tokens die with the process). */
const secretText = process.env.JWT_SECRET;
const secret = new Uint8Array(secretText ? Buffer.from(secretText, 'base64url') : randomBytes(32));
if (secret.length < 32) {
  exitWith('JWT_SECRET must be the base64url encoding of at least 32 random bytes (node -e "console.log(crypto.randomBytes(32).toString(\'base64url\'))")');
}
let password = process.env.PORTCULLIS_ALICE_PASSWORD;
const passwordGenerated = !password;
if (!password) password = randomBytes(18).toString('base64url');

// PORT (0–65535, default 3000) and HOST (default 127.0.0.1); a bad value exits 1.
const address = listenAddress();
const app = await createApp({ secret, accounts: [{ username: 'alice', password, scopes: ['admin'] }] });
const server = app.listen(address.port, address.host);
// A busy port or a foreign HOST exits 1 here, before any password is printed.
const url = await listening(server, address);
console.log(`Portcullis demo (Express: throttling, refresh rotation, step-up) on ${url}`);
if (!secretText) console.log('JWT_SECRET is not set: a random signing key is used, tokens stop working on restart.');
if (passwordGenerated) {
  console.log('Generated password for alice (set PORTCULLIS_ALICE_PASSWORD to choose one):');
  console.log('  user: alice');
  console.log(`  password: ${password}`);
}
console.log(`Try:  curl -i -d grant_type=password -d username=alice --data-urlencode password=<password> ${url}/token`);
console.log(`      curl -i -X POST -H 'Authorization: Bearer <access_token>' ${url}/admin/transfer`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
