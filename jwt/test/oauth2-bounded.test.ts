import { SimpleUser, passwordBackend } from '@portcullis/core';
import { boundedHasher, HashingError } from '@portcullis/core/hashing';
import { describe, expect, it } from 'vitest';
import { oauth2PasswordBearer, type VerifyCredentials } from '../src/index.js';
import { AUDIENCE, ISSUER, SECRET, T0 } from './helpers.js';
import { conn } from '../../test-support/connection.js';
import { slowHasher } from '../../test-support/slow-hasher.js';

const FORM = 'application/x-www-form-urlencoded';
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function endpoint(verifyCredentials: VerifyCredentials<SimpleUser>) {
  return oauth2PasswordBearer<SimpleUser>({
    algorithms: ['HS256'],
    secret: SECRET,
    issuer: ISSUER,
    audience: AUDIENCE,
    retrieveUser: (t) => new SimpleUser(t.sub),
    clock: () => T0,
    tokenUrl: '/token',
    verifyCredentials,
  });
}

const request = (oauth2: ReturnType<typeof endpoint>, password: string) =>
  oauth2.tokenEndpoint.handle(conn({ method: 'POST', target: '/token', now: T0 }), {
    contentType: FORM,
    text: new URLSearchParams({ grant_type: 'password', username: 'alice', password }).toString(),
  });

describe('the token endpoint under a login flood (THR-16)', () => {
  it('THR-16 a full hashing queue → 503 temporarily_unavailable with Retry-After, no token, nothing hashed', async () => {
    const slow = slowHasher();
    const passwords = passwordBackend({
      findUser: (name) => (name === 'alice' ? new SimpleUser('alice') : null),
      passwordHashOf: () => 'slow$alicepwd',
      hasher: boundedHasher(slow.hasher, { concurrency: 1, queue: 1 }),
    });
    const oauth2 = endpoint(passwords.verifyCredentials);
    const running = [request(oauth2, 'alicepwd'), request(oauth2, 'wrong')];
    await tick();
    // Another guess: a copy of a login in progress would share its check (single flight).
    const refused = await request(oauth2, 'another');
    expect(refused.status).toBe(503);
    expect(refused.headers).toMatchObject({ 'retry-after': '1', 'cache-control': 'no-store', pragma: 'no-cache' });
    expect(JSON.parse(refused.body)).toEqual({ error: 'temporarily_unavailable' });
    expect(slow.calls).toBe(1);
    slow.release();
    await tick();
    slow.release();
    const [ok, wrong] = await Promise.all(running);
    expect([ok?.status, JSON.parse(wrong!.body)]).toEqual([200, { error: 'invalid_grant' }]);
  });

  it('THR-16 a custom verifyCredentials whose hasher refuses with hasher_busy gets the same answer; a store failure gets no Retry-After', async () => {
    const busy = await request(endpoint(() => Promise.reject(new HashingError('hasher_busy'))), 'x');
    expect([busy.status, busy.headers['retry-after']]).toEqual([503, '1']);
    const down = await request(endpoint(() => Promise.reject(new Error('db down'))), 'x');
    expect([down.status, down.headers['retry-after']]).toEqual([503, undefined]);
  });
});
