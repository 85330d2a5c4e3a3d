import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { freePort } from '../../../test-support/ports.js';
import { stopProcess } from '../../test-support/spawn.js';

const CHALLENGE = 'Basic realm="Portcullis admin", charset="UTF-8"';
const USER = 'admin';
const PASSWORD = 'correct horse battery staple';

/** `Authorization: Basic …` over raw bytes (supertest's `.auth()` always encodes UTF-8). */
function basic(bytes: Buffer): string {
  return `Basic ${bytes.toString('base64')}`;
}

/** A 401 carrying exactly the Basic challenge of the demo's realm. */
function expectChallenge(res: request.Response): void {
  expect(res.status).toBe(401);
  expect(res.headers['www-authenticate']).toBe(CHALLENGE);
}

describe('express-basic-admin over HTTP', () => {
  const app = createApp({ username: USER, password: PASSWORD });

  describe('GET /login', () => {
    it('challenges a request without credentials: 401 + WWW-Authenticate', async () => {
      const res = await request(app).get('/login');
      expectChallenge(res);
      expect(res.headers.location).toBeUndefined();
    });

    it('challenges a browser too (401, not a redirect loop to itself)', async () => {
      const res = await request(app).get('/login').set('Accept', 'text/html');
      expectChallenge(res);
    });

    it('sends a signed-in user on to /admin with 303', async () => {
      const res = await request(app).get('/login').auth(USER, PASSWORD);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/admin');
    });

    it('honours a same-origin ?next= (percent-encoded path and query)', async () => {
      const res = await request(app).get('/login?next=%2Fadmin%3Fa%3D1').auth(USER, PASSWORD);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/admin?a=1');
    });

    it.each([
      ['//evil.example', '%2F%2Fevil.example'],
      ['https://evil.example', 'https%3A%2F%2Fevil.example'],
      ['/\\evil.example', '%2F%5Cevil.example'],
      ['/login (the login page itself)', '%2Flogin'],
    ])('refuses next=%s and falls back to /admin', async (_label, next) => {
      const res = await request(app).get(`/login?next=${next}`).auth(USER, PASSWORD);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/admin');
    });
  });

  describe('GET /admin', () => {
    it('answers the signed-in user as JSON', async () => {
      const res = await request(app).get('/admin').auth(USER, PASSWORD);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toStrictEqual({ authenticated: true, user: USER });
    });

    it('sends an anonymous browser navigation to /login?next=%2Fadmin (303)', async () => {
      const res = await request(app).get('/admin').set('Accept', 'text/html');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/login?next=%2Fadmin');
    });

    it('keeps the query of the page asked for in next', async () => {
      const res = await request(app).get('/admin?a=1').set('Accept', 'text/html,application/xhtml+xml');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/login?next=%2Fadmin%3Fa%3D1');
    });

    it('answers an anonymous API client 403 (no redirect)', async () => {
      const res = await request(app).get('/admin').set('Accept', 'application/json');
      expect(res.status).toBe(403);
      expect(res.headers.location).toBeUndefined();
    });

    it('the redirect round trip ends on /admin?a=1', async () => {
      const first = await request(app).get('/admin?a=1').set('Accept', 'text/html');
      const login = await request(app).get(first.headers.location as string).auth(USER, PASSWORD);
      expect(login.status).toBe(303);
      expect(login.headers.location).toBe('/admin?a=1');
    });
  });

  describe('bad credentials get the core answers, never 500', () => {
    for (const path of ['/login', '/admin']) {
      it(`${path}: wrong password → 401 + challenge`, async () => {
        expectChallenge(await request(app).get(path).auth(USER, 'wrong'));
      });

      it(`${path}: wrong username → 401 + challenge`, async () => {
        expectChallenge(await request(app).get(path).auth('root', PASSWORD));
      });

      it(`${path}: the right password under a username differing only in case → 401`, async () => {
        expectChallenge(await request(app).get(path).auth('Admin', PASSWORD));
      });

      it(`${path}: a latin-1 (not UTF-8) credential → 400 (malformed), no challenge`, async () => {
        // 'café' in ISO-8859-1: the lone 0xE9 byte is not valid UTF-8.
        const res = await request(app).get(path).set('Authorization', basic(Buffer.from(`${USER}:caf\u00e9`, 'latin1')));
        expect(res.status).toBe(400);
        expect(res.headers['www-authenticate']).toBeUndefined();
      });

      it(`${path}: a credential without a colon → 400`, async () => {
        const res = await request(app).get(path).set('Authorization', basic(Buffer.from(USER)));
        expect(res.status).toBe(400);
      });
    }
  });

  describe('a password with colons (and non-ASCII) in it', () => {
    const password = 'pa:ss:wörd:';
    const colonApp = createApp({ username: USER, password });

    it('logs in: the password is everything after the first colon', async () => {
      const res = await request(colonApp).get('/login').auth(USER, password);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/admin');
      const admin = await request(colonApp).get('/admin').auth(USER, password);
      expect(admin.status).toBe(200);
      expect(admin.body).toStrictEqual({ authenticated: true, user: USER });
    });

    it('the same password in latin-1 is malformed (400), not a 500 and not a login', async () => {
      const res = await request(colonApp).get('/admin').set('Authorization', basic(Buffer.from(`${USER}:${password}`, 'latin1')));
      expect(res.status).toBe(400);
    });

    it('a prefix or a suffix of it is wrong → 401', async () => {
      expectChallenge(await request(colonApp).get('/admin').auth(USER, 'pa:ss'));
      expectChallenge(await request(colonApp).get('/admin').auth(USER, 'ss:wörd:'));
      expectChallenge(await request(colonApp).get('/admin').auth(USER, 'pa:ss:wörd'));
    });

    it('the old password of the other instance does not open this one', async () => {
      expectChallenge(await request(colonApp).get('/admin').auth(USER, PASSWORD));
    });
  });
});

// ---------------------------------------------------------------------------
// The real server: node examples/express-basic-admin/dist/server.js
// ---------------------------------------------------------------------------

const SERVER = fileURLToPath(new URL('../dist/server.js', import.meta.url));
const STARTUP_TIMEOUT = 10_000;

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything the server wrote to stdout up to (and including) its startup banner. */
  readonly stdout: string;
  readonly stderr: string;
}

const children = new Set<ChildProcess>();
const stop = (child: ChildProcess): Promise<void> => {
  children.delete(child);
  return stopProcess(child);
};

afterAll(async () => {
  await Promise.all([...children].map(stop));
});

/**
 * Spawns the built server on a free port of 127.0.0.1 and resolves once its
 * banner is complete (the last banner line is printed from the listen
 * callback, so the server is accepting connections by then).
 */
async function startServer(env: Record<string, string | undefined>): Promise<Running> {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: build first (npx tsc -b tsconfig.build.json)`);
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1' };
    delete childEnv.PORTCULLIS_ADMIN_USER;
    delete childEnv.PORTCULLIS_ADMIN_PASSWORD;
    for (const [name, value] of Object.entries(env)) if (value !== undefined) childEnv[name] = value;

    const child = spawn(process.execPath, [SERVER], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`server did not start within ${STARTUP_TIMEOUT} ms\nstdout: ${stdout}\nstderr: ${stderr}`)),
          STARTUP_TIMEOUT,
        );
        const done = (error?: Error) => {
          clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        };
        child.stdout!.on('data', (chunk: string) => {
          stdout += chunk;
          if (/^ +curl -i -u .*\/admin$/m.test(stdout)) done();
        });
        child.stderr!.on('data', (chunk: string) => (stderr += chunk));
        child.once('error', done);
        child.once('exit', (code, signal) =>
          done(new Error(`server exited early (code ${code}, signal ${signal})\nstdout: ${stdout}\nstderr: ${stderr}`)),
        );
      });
      return { child, url: `http://127.0.0.1:${port}`, stdout, stderr };
    } catch (error) {
      await stop(child);
      // Someone took the port between our probe and the server's listen: try another.
      if (attempt < 3 && /EADDRINUSE/.test(stderr)) continue;
      throw error;
    }
  }
}

describe('the real server (dist/server.js)', () => {
  it('without PORTCULLIS_ADMIN_PASSWORD prints a generated password that opens /admin', async () => {
    const server = await startServer({});
    try {
      expect(server.stdout).toContain(`on ${server.url}`);
      expect(server.stdout).toContain('Generated admin password');
      const match = /^ {2}password: (\S+)$/m.exec(server.stdout);
      expect(match, server.stdout).not.toBeNull();
      const password = match![1]!;
      expect(password.length).toBeGreaterThanOrEqual(20);
      expect(server.stdout).toMatch(/^ {2}user: admin$/m);

      const admin = await request(server.url).get('/admin').auth('admin', password);
      expect(admin.status).toBe(200);
      expect(admin.body).toStrictEqual({ authenticated: true, user: 'admin' });

      const login = await request(server.url).get('/login');
      expect(login.status).toBe(401);
      expect(login.headers['www-authenticate']).toBe(CHALLENGE);

      expectChallenge(await request(server.url).get('/admin').auth('admin', `${password}x`).set('Accept', 'text/html'));
    } finally {
      await stop(server.child);
    }
    expect(server.child.exitCode !== null || server.child.signalCode !== null).toBe(true);
  });

  it('generates a different password on every start', async () => {
    const a = await startServer({});
    await stop(a.child);
    const b = await startServer({});
    await stop(b.child);
    const pa = /^ {2}password: (\S+)$/m.exec(a.stdout)?.[1];
    const pb = /^ {2}password: (\S+)$/m.exec(b.stdout)?.[1];
    expect(pa).toBeDefined();
    expect(pb).toBeDefined();
    expect(pa).not.toBe(pb);
  });

  it('with PORTCULLIS_ADMIN_PASSWORD (and _USER) set uses them and never prints the password', async () => {
    const password = 'set-by-env:s3cret-Zq81';
    const server = await startServer({ PORTCULLIS_ADMIN_USER: 'root-admin', PORTCULLIS_ADMIN_PASSWORD: password });
    try {
      expect(server.stdout).toContain(`on ${server.url}`);
      expect(server.stdout).not.toContain(password);
      expect(server.stdout).not.toContain('s3cret');
      expect(server.stdout).not.toMatch(/password:/);
      expect(server.stdout).not.toContain('Generated');

      const admin = await request(server.url).get('/admin').auth('root-admin', password);
      expect(admin.status).toBe(200);
      expect(admin.body).toStrictEqual({ authenticated: true, user: 'root-admin' });
      // The default user name is not an alias once PORTCULLIS_ADMIN_USER is set.
      expectChallenge(await request(server.url).get('/admin').auth('admin', password));
    } finally {
      await stop(server.child);
    }
    expect(server.stdout).not.toContain(password);
    expect(server.stderr).not.toContain(password);
  });
});
