import { randomBytes } from 'node:crypto';
import { serve } from '@hono/node-server';
import { exitWith, listenAddress, listening, serviceUrl } from '@portcullis/example-startup';
import { createApp, openUserStore, pbkdf2Hasher } from './app.js';

const databaseUrl = process.env.DATABASE_URL || undefined;
// Checked before connecting: postgres:// or postgresql://, else exit 1 naming DATABASE_URL.
const database = databaseUrl && serviceUrl('DATABASE_URL', databaseUrl, { schemes: ['postgres', 'postgresql'], defaultPort: 5432 });
const username = 'alice';
let password = process.env.PORTCULLIS_ALICE_PASSWORD;
const generated = !password;
if (!password) password = randomBytes(18).toString('base64url');

// PORT (0–65535, default 3000) and HOST (default 127.0.0.1); a bad value exits 1.
const address = listenAddress();

const hasher = pbkdf2Hasher();
// An unreachable database exits 1 within the pool's 5 s connection timeout (the password is never printed).
const { store, seeded, close } = await openUserStore({ databaseUrl, hasher, seed: { username, password } }).catch((error: unknown) =>
  exitWith(`Cannot open the users table in PostgreSQL at ${database ? database.where : '?'}: start it, or fix DATABASE_URL (unset: users in memory)`, error),
);

// One JSON line per failed login on stderr (the username escaped; never a password).
const app = createApp({ store, hasher, log: (event) => console.warn(JSON.stringify(event)) });

const server = serve({ fetch: app.fetch, port: address.port, hostname: address.host });
// A busy port or a foreign HOST exits 1 here, before any password is printed.
const url = await listening(server, address);
console.log(`Portcullis demo (Hono + users in ${store.kind === 'postgres' ? 'PostgreSQL' : 'memory'}) on ${url}`);
if (database) console.log(`Users table portcullis_example_users in ${database.redacted}`);
else console.log('DATABASE_URL is not set: users are kept in memory and lost on exit.');
if (!seeded) {
  console.log(`User ${username} exists already (from an earlier run): use the password you gave it then.`);
} else if (generated) {
  console.log(`Generated password for ${username} (set PORTCULLIS_ALICE_PASSWORD to choose one):`);
  console.log(`  user: ${username}`);
  console.log(`  password: ${password}`);
}
console.log(`Try:  curl -i ${url}/me`);
console.log(`      curl -i -u ${username}:<password> ${url}/me`);
console.log(`      curl -i -H 'Content-Type: application/json' -d '{"username":"carol","password":"correct horse"}' ${url}/signup`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.close(() => void close().finally(() => process.exit(0))));
}
