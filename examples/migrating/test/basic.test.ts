// docs/migrating.md, the Basic sections: express-basic-auth, passport-http, hono/basic-auth.
import request from 'supertest';
import { expect } from 'vitest';
import * as expressBasicAuthAfter from '../src/express-basic-auth-after.js';
import * as expressBasicAuthBefore from '../src/express-basic-auth-before.js';
import * as honoBasicAuthAfter from '../src/hono-basic-auth-after.js';
import * as honoBasicAuthBefore from '../src/hono-basic-auth-before.js';
import * as passportHttpAfter from '../src/passport-http-after.js';
import * as passportHttpBefore from '../src/passport-http-before.js';
import { ALICE, BOB, basic, expectStatus, getBoth, honoServer, migration } from './support.js';

const CHALLENGE = 'Basic realm="api", charset="UTF-8"';
const JSON_CLIENT = { Accept: 'application/json' };
const right = { Authorization: basic(ALICE.username, ALICE.password) };
const wrong = { Authorization: basic(ALICE.username, 'not the password') };
const notBase64 = { Authorization: 'Basic !!!' };
const latin1 = { Authorization: basic(ALICE.username, 'caf\u00e9', 'latin1') };
const colons = { Authorization: basic(BOB.username, BOB.password) };

/** Portcullis's answer to a malformed Basic credential: 400, no challenge. */
function expectMalformed(res: request.Response): void {
  expect(res.status).toBe(400);
  expect(res.headers['www-authenticate']).toBeUndefined();
  expect(res.text).toBe('Invalid authorization credentials');
}

{
  const before = expressBasicAuthBefore.createApp();
  const after = expressBasicAuthAfter.createApp();
  migration('From express-basic-auth', {
    'right user and password': async () => {
      const [b, a] = await getBoth(before, after, right);
      expectStatus([b, a], 200);
      expect(b.body).toEqual({ name: 'alice' });
      expect(a.body).toEqual({ name: 'alice' });
    },
    'no `Authorization` header': async () => {
      const [b, a] = await getBoth(before, after);
      expectStatus([b, a], 401);
      expect(b.headers['www-authenticate']).toBe('Basic realm="api"');
      expect(b.text).toBe('');
      expect(a.headers['www-authenticate']).toBe(CHALLENGE);
      expect(a.text).toBe('Unauthorized');
    },
    'wrong password': async () => {
      const [b, a] = await getBoth(before, after, wrong);
      expectStatus([b, a], 401);
      expect(b.text).toBe('');
      expect(a.headers['www-authenticate']).toBe(CHALLENGE);
      expect(a.text).toBe('Unauthorized');
    },
    'wrong password, JSON client (`Accept: application/json`)': async () => {
      const [b, a] = await getBoth(before, after, { ...wrong, ...JSON_CLIENT });
      expectStatus([b, a], 401);
      expect(b.text).toBe('');
      expect(a.body).toEqual({ error: 'invalid_credentials' });
    },
    '`Authorization: Basic !!!` (not base64)': async () => {
      const [b, a] = await getBoth(before, after, notBase64);
      expect(b.status).toBe(401);
      expect(b.headers['www-authenticate']).toBe('Basic realm="api"');
      expectMalformed(a);
    },
    'credentials in ISO-8859-1, not UTF-8': async () => {
      const [b, a] = await getBoth(before, after, latin1);
      expect(b.status).toBe(401);
      expectMalformed(a);
    },
    'a password with colons (`pa:ss:wörd`)': async () => {
      const [b, a] = await getBoth(before, after, colons);
      expectStatus([b, a], 200);
      expect(b.body).toEqual({ name: 'bob' });
      expect(a.body).toEqual({ name: 'bob' });
    },
    'lower-case scheme (`basic …`)': async () => {
      const header = { Authorization: right.Authorization.replace('Basic', 'basic') };
      expectStatus(await getBoth(before, after, header), 200);
    },
  });
}

{
  const before = passportHttpBefore.createApp();
  const after = passportHttpAfter.createApp();
  migration('passport-http (Basic)', {
    'right user and password': async () => {
      const [b, a] = await getBoth(before, after, right);
      expectStatus([b, a], 200);
      expect(b.body).toEqual({ name: 'alice' });
      expect(a.body).toEqual({ name: 'alice' });
    },
    'no `Authorization` header': async () => {
      const [b, a] = await getBoth(before, after);
      expectStatus([b, a], 401);
      expect(b.headers['www-authenticate']).toBe('Basic realm="Users"');
      expect(a.headers['www-authenticate']).toBe(CHALLENGE);
      expect(b.text).toBe('Unauthorized');
      expect(a.text).toBe('Unauthorized');
    },
    'wrong password, JSON client (`Accept: application/json`)': async () => {
      const [b, a] = await getBoth(before, after, { ...wrong, ...JSON_CLIENT });
      expectStatus([b, a], 401);
      expect(b.text).toBe('Unauthorized');
      expect(a.body).toEqual({ error: 'invalid_credentials' });
    },
    '`Authorization: Basic !!!` (not base64)': async () => {
      const [b, a] = await getBoth(before, after, notBase64);
      expect(b.status).toBe(400);
      expect(b.text).toBe('Bad Request');
      expectMalformed(a);
    },
    'credentials in ISO-8859-1, not UTF-8': async () => {
      const [b, a] = await getBoth(before, after, latin1);
      expect(b.status).toBe(401);
      expect(b.headers['www-authenticate']).toBe('Basic realm="Users"');
      expectMalformed(a);
    },
    'a password with colons (`pa:ss:wörd`)': async () => {
      const [b, a] = await getBoth(before, after, colons);
      expect(b.status).toBe(401);
      expect(a.status).toBe(200);
      expect(a.body).toEqual({ name: 'bob' });
    },
    'anonymous request to a public route': async () => {
      const [b, a] = await Promise.all([request(before).get('/'), request(after).get('/')]);
      expectStatus([b, a], 200);
      expect(b.text).toBe('Hello, you');
      expect(a.text).toBe('Hello, you');
    },
  });
}

{
  const before = honoServer(honoBasicAuthBefore.createApp());
  const after = honoServer(honoBasicAuthAfter.createApp());
  migration("From Hono's basic-auth", {
    'right user and password': async () => {
      const [b, a] = await getBoth(before, after, right);
      expectStatus([b, a], 200);
      expect(b.body).toEqual({ name: 'alice' });
      expect(a.body).toEqual({ name: 'alice' });
    },
    'no `Authorization` header': async () => {
      const [b, a] = await getBoth(before, after);
      expectStatus([b, a], 401);
      expect(b.headers['www-authenticate']).toBe('Basic realm="api"');
      expect(a.headers['www-authenticate']).toBe(CHALLENGE);
      expect(b.text).toBe('Unauthorized');
      expect(a.text).toBe('Unauthorized');
    },
    'wrong password, JSON client (`Accept: application/json`)': async () => {
      const [b, a] = await getBoth(before, after, { ...wrong, ...JSON_CLIENT });
      expectStatus([b, a], 401);
      expect(b.text).toBe('Unauthorized');
      expect(a.body).toEqual({ error: 'invalid_credentials' });
    },
    '`Authorization: Basic !!!` (not base64)': async () => {
      const [b, a] = await getBoth(before, after, notBase64);
      expect(b.status).toBe(401);
      expectMalformed(a);
    },
    'credentials in ISO-8859-1, not UTF-8': async () => {
      const [b, a] = await getBoth(before, after, latin1);
      expect(b.status).toBe(401);
      expectMalformed(a);
    },
    'a password with colons (`pa:ss:wörd`)': async () => {
      const [b, a] = await getBoth(before, after, colons);
      expectStatus([b, a], 200);
      expect(b.body).toEqual({ name: 'bob' });
      expect(a.body).toEqual({ name: 'bob' });
    },
  });
}
