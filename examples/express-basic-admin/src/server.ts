import { randomBytes } from 'node:crypto';
import { createApp } from './app.js';

const username = process.env.PORTCULLIS_ADMIN_USER || 'admin';
let password = process.env.PORTCULLIS_ADMIN_PASSWORD;
const generated = !password;
if (!password) password = randomBytes(18).toString('base64url');

const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || '127.0.0.1';

const server = createApp({ username, password }).listen(port, host, () => {
  const url = `http://${host}:${port}`;
  console.log(`Portcullis demo (Express + Basic) on ${url}`);
  if (generated) {
    console.log(`Generated admin password (set PORTCULLIS_ADMIN_PASSWORD to choose one):`);
    console.log(`  user: ${username}`);
    console.log(`  password: ${password}`);
  }
  console.log(`Try:  curl -i ${url}/login`);
  console.log(`      curl -i -u ${username}:<password> ${url}/admin`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
