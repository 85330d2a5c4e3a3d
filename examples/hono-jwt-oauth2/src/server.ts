import { randomBytes } from 'node:crypto';
import { serve } from '@hono/node-server';
import { listenAddress, listening } from '@portcullis/example-startup';
import { createApp } from './app.js';

/** JWT_SECRET: base64url of at least 32 random bytes. Without it, a random one (tokens die with the process). */
function secretFromEnv(): { secret: Uint8Array; generated: boolean } {
  const text = process.env.JWT_SECRET;
  if (!text) return { secret: new Uint8Array(randomBytes(32)), generated: true };
  const secret = new Uint8Array(Buffer.from(text, 'base64url'));
  if (secret.length < 32) {
    console.error('JWT_SECRET must be the base64url encoding of at least 32 random bytes (openssl rand -base64 32 | tr "+/" "-_" | tr -d "=")');
    process.exit(1);
  }
  return { secret, generated: false };
}

const { secret, generated: secretGenerated } = secretFromEnv();
const username = 'alice';
let password = process.env.PORTCULLIS_ALICE_PASSWORD;
const passwordGenerated = !password;
if (!password) password = randomBytes(18).toString('base64url');

// PORT (0–65535, default 3000) and HOST (default 127.0.0.1); a bad value exits 1.
const address = listenAddress();

const { app } = await createApp({ secret, accounts: [{ username, password, scopes: ['orders:read'] }] });

const server = serve({ fetch: app.fetch, port: address.port, hostname: address.host });
// A busy port or a foreign HOST exits 1 here, before any password is printed.
const url = await listening(server, address);
console.log(`Portcullis demo (Hono + JWT + OAuth2 password grant) on ${url}`);
if (secretGenerated) console.log('JWT_SECRET is not set: a random signing key is used, tokens stop working on restart.');
if (passwordGenerated) {
  console.log(`Generated password for ${username} (set PORTCULLIS_ALICE_PASSWORD to choose one):`);
  console.log(`  user: ${username}`);
  console.log(`  password: ${password}`);
}
console.log(`Try:  curl -i -d grant_type=password -d username=${username} --data-urlencode password=<password> ${url}/token`);
console.log(`      curl -i -H 'Authorization: Bearer <access_token>' ${url}/me`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
