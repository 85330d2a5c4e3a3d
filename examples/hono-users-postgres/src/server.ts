import { randomBytes } from 'node:crypto';
import { serve } from '@hono/node-server';
import { createApp, openUserStore, pbkdf2Hasher } from './app.js';

const databaseUrl = process.env.DATABASE_URL || undefined;
const username = 'alice';
let password = process.env.PORTCULLIS_ALICE_PASSWORD;
const generated = !password;
if (!password) password = randomBytes(18).toString('base64url');

const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || '127.0.0.1';

/** The database URL without its password, for the banner. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

const hasher = pbkdf2Hasher();
let opened;
try {
  opened = await openUserStore({ databaseUrl, hasher, seed: { username, password } });
} catch (error) {
  console.error(`Cannot open the user store at ${redact(databaseUrl ?? '')}: ${(error as Error).message}`);
  process.exit(1);
}
const { store, seeded, close } = opened;

// One JSON line per failed login on stderr (the username escaped; never a password).
const app = createApp({ store, hasher, log: (event) => console.warn(JSON.stringify(event)) });

const server = serve({ fetch: app.fetch, port, hostname: host }, () => {
  const url = `http://${host}:${port}`;
  console.log(`Portcullis demo (Hono + users in ${store.kind === 'postgres' ? 'PostgreSQL' : 'memory'}) on ${url}`);
  if (databaseUrl) console.log(`Users table portcullis_example_users in ${redact(databaseUrl)}`);
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
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.close(() => void close().finally(() => process.exit(0))));
}
