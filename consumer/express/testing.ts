// The test kit as an app author's test uses it: an Express app on sessions, a session
// made by loginAs through the app's own session code, the app's answer with it. Not a
// server: it prints `<status> <body>` and exits (under NODE_ENV=production the import
// of the kit throws, which the consumer test checks too).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { MemorySessionStore, SimpleUser, sessionAuth } from '@portcullis/core';
import { authentication } from '@portcullis/express';
import { sessions } from '@portcullis/express/sessions';
import { loginAs, testClock } from '@portcullis/testing';
import { expressSessionLogin } from '@portcullis/testing/express';

const clock = testClock();
const options = { store: new MemorySessionStore({ clock }), secret: 'a-consumer-test-secret-of-32-characters', cookie: { secure: false }, clock };
const users = new Map([['u1', new SimpleUser('grace')]]);

const app = express();
app.use(sessions(options));
app.use(authentication({ ...sessionAuth({ retrieveUser: (s: { userId?: string }) => users.get(s.userId ?? '') }), clock }));
app.get('/me', (req, res) => {
  res.json({ user: req.user.displayName });
});

const grace = await loginAs(expressSessionLogin<SimpleUser>({ ...options, data: () => ({ userId: 'u1' }) }), users.get('u1')!);
const server = createServer(app).listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/me`, { headers: { ...grace.headers } });
console.log(`${res.status} ${await res.text()}`);
server.close();
