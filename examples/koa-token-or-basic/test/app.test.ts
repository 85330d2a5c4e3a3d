import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '@portcullis/core';
import { createApp, type TokenOrBasicApp } from '../src/app.js';
import { freePort } from '../../../test-support/ports.js';
import { stopProcess } from '../../test-support/spawn.js';

const REALM = 'Portcullis API';
/** Both backends' challenges, in the chain's order, in one comma-joined field. */
const CHALLENGES = `Token, Basic realm="${REALM}", charset="UTF-8"`;
const ALICE = 'alice';
const PASSWORD = 'alice:pwd-correct horse';

/** `Authorization: Basic …` over raw bytes (supertest's `.auth()` always encodes UTF-8). */
function basic(bytes: Buffer): string {
  return `Basic ${bytes.toString('base64')}`;
}

/** A 401 carrying both challenges in one field. */
function expectChallenges(res: request.Response): void {
  expect(res.status).toBe(401);
  expect(res.headers['www-authenticate']).toBe(CHALLENGES);
  expect(res.headers['cache-control']).toBe('no-store');
}

describe('koa-token-or-basic over HTTP', () => {
  let demo: TokenOrBasicApp;
  let server: ReturnType<TokenOrBasicApp['app']['callback']>;

  beforeAll(async () => {
    demo = await createApp({ basic: { username: ALICE, password: PASSWORD }, realm: REALM });
    server = demo.app.callback();
  });

  describe('GET /protected (requires authenticated)', () => {
    it('anonymous → 403 Forbidden (Starlette\'s opt-in guard), no challenge', async () => {
      const res = await request(server).get('/protected');
      expect(res.status).toBe(403);
      expect(res.text).toBe('Forbidden');
      expect(res.headers['www-authenticate']).toBeUndefined();
    });

    it('anonymous JSON client → 403 {"error":"forbidden"}', async () => {
      const res = await request(server).get('/protected').set('Accept', 'application/json');
      expect(res.status).toBe(403);
      expect(res.body).toStrictEqual({ error: 'forbidden' });
    });

    it('Authorization: Token <bob\'s token> → Hello, bob!', async () => {
      const res = await request(server).get('/protected').set('Authorization', `Token ${demo.ownerToken}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toStrictEqual({ message: 'Hello, bob!' });
    });

    it('the scheme is case-insensitive: TOKEN <key> works too', async () => {
      const res = await request(server).get('/protected').set('Authorization', `TOKEN ${demo.ownerToken}`);
      expect(res.status).toBe(200);
      expect(res.body).toStrictEqual({ message: 'Hello, bob!' });
    });

    it('Basic alice → Hello, alice! (the password is everything after the first colon)', async () => {
      const res = await request(server).get('/protected').auth(ALICE, PASSWORD);
      expect(res.status).toBe(200);
      expect(res.body).toStrictEqual({ message: 'Hello, alice!' });
    });
  });

  describe('an invalid credential stops the chain: 401, never anonymous', () => {
    it('an unknown token → 401 with both challenges in one WWW-Authenticate', async () => {
      const res = await request(server).get('/protected').set('Authorization', 'Token aW52YWxpZC10b2tlbi1mb3ItdGhlLWRlbW8');
      expectChallenges(res);
      expect(res.headers['www-authenticate']).toBe('Token, Basic realm="Portcullis API", charset="UTF-8"');
      expect(res.text).toBe('Unauthorized');
    });

    it('an unknown token on the public page is refused too (not downgraded to anonymous)', async () => {
      const anonymous = await request(server).get('/');
      expect(anonymous.status).toBe(200);
      expect(anonymous.body).toStrictEqual({ message: 'Hello, you!' });
      expectChallenges(await request(server).get('/').set('Authorization', 'Token not-a-real-token'));
    });

    it('Token with no key, or a key that is not token68 → 401', async () => {
      expectChallenges(await request(server).get('/protected').set('Authorization', 'Token'));
      expectChallenges(await request(server).get('/protected').set('Authorization', 'Token a b'));
    });

    it('alice\'s password sent as a token is just an unknown token → 401', async () => {
      expectChallenges(await request(server).get('/protected').set('Authorization', `Token ${Buffer.from(`${ALICE}:${PASSWORD}`).toString('base64')}`));
    });

    it('a revoked token → 401 on the very next request', async () => {
      const other = await createApp({ basic: { username: ALICE, password: PASSWORD }, realm: REALM });
      const app = other.app.callback();
      const before = await request(app).get('/protected').set('Authorization', `Token ${other.ownerToken}`);
      expect(before.status).toBe(200);
      expect(await other.revokeToken(other.ownerToken)).toBe(true);
      expectChallenges(await request(app).get('/protected').set('Authorization', `Token ${other.ownerToken}`));
      // Revoking twice reports that nothing was left to revoke.
      expect(await other.revokeToken(other.ownerToken)).toBe(false);
    });

    it('bob\'s token from another instance does not open this one', async () => {
      const other = await createApp({ basic: { username: ALICE, password: PASSWORD } });
      expectChallenges(await request(server).get('/protected').set('Authorization', `Token ${other.ownerToken}`));
    });
  });

  describe('Basic: wrong credentials → 401, malformed → 400', () => {
    it('wrong password → 401 + both challenges', async () => {
      expectChallenges(await request(server).get('/protected').auth(ALICE, 'wrong'));
    });

    it('a prefix of the password (cut at its colon) → 401', async () => {
      expectChallenges(await request(server).get('/protected').auth(ALICE, 'pwd-correct horse'));
    });

    it('unknown user with alice\'s password → 401; bob has no password', async () => {
      expectChallenges(await request(server).get('/protected').auth('bob', PASSWORD));
      expectChallenges(await request(server).get('/protected').auth('Alice', PASSWORD));
    });

    it.each([
      ['not base64', 'Basic !!!'],
      ['no colon', basic(Buffer.from(ALICE))],
      ['not UTF-8 (latin-1 é)', basic(Buffer.from(`${ALICE}:caf\u00e9`, 'latin1'))],
    ])('malformed Basic (%s) → 400, no challenge', async (_label, header) => {
      const res = await request(server).get('/protected').set('Authorization', header);
      expect(res.status).toBe(400);
      expect(res.text).toBe('Invalid authorization credentials');
      expect(res.headers['www-authenticate']).toBeUndefined();
    });

    it('two Authorization values (Token and Basic) → 400, neither is tried', async () => {
      const res = await request(server)
        .get('/protected')
        .set({ Authorization: [`Token ${demo.ownerToken}`, basic(Buffer.from(`${ALICE}:${PASSWORD}`))] });
      expect(res.status).toBe(400);
      expect(res.text).toBe('Multiple authorization credentials');
    });
  });

  describe('POST /tokens (create an API token, Basic only)', () => {
    it('issues a token for the caller, once, with Cache-Control: no-store; the token then works', async () => {
      const res = await request(server).post('/tokens').auth(ALICE, PASSWORD);
      expect(res.status).toBe(201);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toMatchObject({ token_type: 'Token', user: ALICE, expires_in: 30 * 24 * 60 * 60 });
      const token = res.body.token as string;
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 random bits, base64url

      const me = await request(server).get('/protected').set('Authorization', `Token ${token}`);
      expect(me.status).toBe(200);
      expect(me.body).toStrictEqual({ message: 'Hello, alice!' });

      // The store holds the digest, never the token itself.
      const digests = demo.tokens.digests();
      expect(digests).toContain(await hashToken(token));
      expect(digests).not.toContain(token);

      // And it can be revoked like any other.
      expect(await demo.revokeToken(token)).toBe(true);
      expectChallenges(await request(server).get('/protected').set('Authorization', `Token ${token}`));
    });

    it('every call issues a different token; the earlier ones keep working', async () => {
      const a = await request(server).post('/tokens').auth(ALICE, PASSWORD);
      const b = await request(server).post('/tokens').auth(ALICE, PASSWORD);
      expect(a.status).toBe(201);
      expect(b.status).toBe(201);
      expect(a.body.token).not.toBe(b.body.token);
      for (const token of [a.body.token as string, b.body.token as string]) {
        const res = await request(server).get('/protected').set('Authorization', `Token ${token}`);
        expect(res.body).toStrictEqual({ message: 'Hello, alice!' });
      }
    });

    it('a token holder cannot mint more tokens → 403', async () => {
      const res = await request(server).post('/tokens').set('Authorization', `Token ${demo.ownerToken}`);
      expect(res.status).toBe(403);
      expect(res.text).toBe('Forbidden');
    });

    it('anonymous → 401 with both challenges (so a client knows how to sign in)', async () => {
      expectChallenges(await request(server).post('/tokens'));
    });

    it('wrong password → 401, nothing issued', async () => {
      const before = demo.tokens.digests().length;
      expectChallenges(await request(server).post('/tokens').auth(ALICE, 'wrong'));
      expect(demo.tokens.digests().length).toBe(before);
    });

    it('GET /tokens is not a route → 405 from the router, never a token', async () => {
      const res = await request(server).get('/tokens').auth(ALICE, PASSWORD);
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('POST');
    });
  });
});

// ---------------------------------------------------------------------------
// The real server: node examples/koa-token-or-basic/dist/server.js
// ---------------------------------------------------------------------------

const SERVER = fileURLToPath(new URL('../dist/server.js', import.meta.url));
const STARTUP_TIMEOUT = 10_000;

const children = new Set<ChildProcess>();
const stop = (child: ChildProcess): Promise<void> => {
  children.delete(child);
  return stopProcess(child);
};

afterAll(async () => {
  await Promise.all([...children].map(stop));
});

/** Spawns the built server and resolves once its banner (printed from the listen callback) is complete. */
async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; stdout: string }> {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: build first (npx tsc -b examples/koa-token-or-basic)`);
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...env };
    if (!('PORTCULLIS_BASIC_PASSWORD' in env)) delete childEnv.PORTCULLIS_BASIC_PASSWORD;
    delete childEnv.PORTCULLIS_BASIC_USER;
    const child = spawn(process.execPath, [SERVER], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner within ${STARTUP_TIMEOUT} ms\n${stdout}\n${stderr}`)), STARTUP_TIMEOUT);
        const done = (error?: Error) => {
          clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        };
        child.stdout!.on('data', (chunk: string) => {
          stdout += chunk;
          if (/curl -i -X POST .*\/tokens$/m.test(stdout)) done();
        });
        child.stderr!.on('data', (chunk: string) => (stderr += chunk));
        child.once('error', done);
        child.once('exit', (code, signal) => done(new Error(`server exited (code ${code}, signal ${signal})\n${stdout}\n${stderr}`)));
      });
      return { child, url: `http://127.0.0.1:${port}`, stdout };
    } catch (error) {
      await stop(child);
      if (attempt < 3 && /EADDRINUSE/.test(stderr)) continue;
      throw error;
    }
  }
}

describe('the real server (dist/server.js)', () => {
  it('prints bob\'s token and a generated password for alice, and both work', async () => {
    const server = await startServer({});
    try {
      expect(server.stdout).toContain(`on ${server.url}`);
      const token = /^ {2}token: (\S+)$/m.exec(server.stdout)?.[1];
      const password = /^ {2}password: (\S+)$/m.exec(server.stdout)?.[1];
      expect(token, server.stdout).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(password, server.stdout).toBeDefined();

      expect((await request(server.url).get('/protected')).status).toBe(403);
      const bob = await request(server.url).get('/protected').set('Authorization', `Token ${token}`);
      expect(bob.body).toStrictEqual({ message: 'Hello, bob!' });
      const alice = await request(server.url).get('/protected').auth('alice', password!);
      expect(alice.body).toStrictEqual({ message: 'Hello, alice!' });

      const issued = await request(server.url).post('/tokens').auth('alice', password!);
      expect(issued.status).toBe(201);
      const again = await request(server.url).get('/protected').set('Authorization', `Token ${issued.body.token}`);
      expect(again.body).toStrictEqual({ message: 'Hello, alice!' });
    } finally {
      await stop(server.child);
    }
  });

  it('with PORTCULLIS_BASIC_PASSWORD set never prints the password', async () => {
    const password = 'set-by-env:Zq81-s3cret';
    const server = await startServer({ PORTCULLIS_BASIC_PASSWORD: password });
    try {
      expect(server.stdout).not.toContain(password);
      expect(server.stdout).not.toMatch(/password:/);
      const alice = await request(server.url).get('/protected').auth('alice', password);
      expect(alice.body).toStrictEqual({ message: 'Hello, alice!' });
    } finally {
      await stop(server.child);
    }
  });
});
