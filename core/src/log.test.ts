import { describe, it, expect } from 'vitest';
import { createAuthenticator, escapeForLog, type AuthenticationFailure, type AuthenticationOptions } from './authenticator.js';
import type { AuthenticationBackend } from './backend.js';
import { basicAuth } from './basic.js';
import { bearerAuth } from './bearer.js';
import { createConnection, type Connection } from './connection.js';
import { AuthenticationError, ConfigurationError } from './errors.js';
import { multi } from './multi.js';
import { tokenAuth } from './token.js';
import { SimpleUser, type BaseUser } from './user.js';
import { conn as connection, responseOf } from '../../test-support/connection.js';

const conn = (authorization?: string, target = '/admin', method = 'GET'): Connection =>
  connection({ method, target, headers: authorization === undefined ? { accept: 'application/json' } : { accept: 'application/json', authorization } });

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const basicHeader = (username: string, password: string): string => `Basic ${b64(`${username}:${password}`)}`;

const PASSWORD = 'S3cr3t!Pw';
const TOKEN = 'tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0';
const FORGED = 'alice\r\n2026-01-01 INFO login ok user=admin';

function fixtureBasic() {
  return basicAuth({ realm: 'api', verify: (u, p) => (u === 'alice' && p === 'correct horse' ? new SimpleUser(u) : null) });
}

function fixtureBearer() {
  return bearerAuth({ realm: 'api', verify: (t) => (t === TOKEN ? new SimpleUser('alice') : null) });
}

function capture(backend: AuthenticationBackend<BaseUser>, options: Partial<AuthenticationOptions<BaseUser>> = {}) {
  const events: AuthenticationFailure[] = [];
  const authenticator = createAuthenticator<BaseUser>({ backend, log: (e) => events.push(e), ...options });
  return { events, run: async (c: Connection) => authenticator.run(c) };
}

/** No raw CR, LF or other control character in any field of any event. */
function expectNoControlCharacters(events: readonly AuthenticationFailure[]): void {
  for (const event of events) {
    for (const value of Object.values(event)) {
      expect(typeof value).toBe('string');
      expect(value).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    }
  }
}

describe('log', () => {
  it('LEAK-07 BAS-22 a failed Basic login: one event without the password, the header or the base64 token', async () => {
    const { events, run } = capture(fixtureBasic());
    const header = basicHeader('alice', PASSWORD);
    const r = responseOf(await run(conn(header)));
    expect(r.status).toBe(401);
    expect(events).toHaveLength(1);
    expect(events[0]).toEqual({ event: 'authentication_failed', code: 'invalid_credentials', method: 'GET', path: '/admin', subject: 'alice' });
    const json = JSON.stringify(events);
    expect(json).not.toContain(PASSWORD);
    expect(json).not.toContain(header);
    expect(json).not.toContain(header.slice('Basic '.length));
    expect(json).not.toContain(b64(PASSWORD));
  });

  it('LEAK-07 a failed login with an unknown user is logged the same way', async () => {
    const { events, run } = capture(fixtureBasic());
    await run(conn(basicHeader('mallory', PASSWORD)));
    expect(events).toEqual([{ event: 'authentication_failed', code: 'invalid_credentials', method: 'GET', path: '/admin', subject: 'mallory' }]);
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
  });

  it('LEAK-07 a Bearer failure: one event without the token or the header', async () => {
    const { events, run } = capture(fixtureBearer());
    const unknown = 'tok_0000000000000000000000000000dead';
    const header = `Bearer ${unknown}`;
    expect(responseOf(await run(conn(header))).status).toBe(401);
    expect(events).toHaveLength(1);
    expect(events[0]?.code).toBe('invalid_credentials');
    expect(events[0]?.subject).toBeUndefined();
    const json = JSON.stringify(events);
    expect(json).not.toContain(unknown);
    expect(json).not.toContain(header);
  });

  it('LEAK-07 the logged path leaves out the query string (which may carry a token)', async () => {
    const { events, run } = capture(fixtureBearer());
    await run(conn('Bearer tok_bad', `/admin?access_token=${TOKEN}&api_key=${TOKEN}`));
    expect(events).toHaveLength(1);
    expect(events[0]?.path).toBe('/admin');
    expect(JSON.stringify(events)).not.toContain(TOKEN);
  });

  it('LEAK-07 a malformed Bearer header and a Token failure do not log the credential', async () => {
    const bearer = capture(fixtureBearer());
    await bearer.run(conn(`Bearer ${TOKEN} extra`));
    expect(bearer.events.map((e) => e.code)).toEqual(['malformed_credentials']);
    expect(JSON.stringify(bearer.events)).not.toContain(TOKEN);
    const token = capture(tokenAuth({ verify: () => null }));
    await token.run(conn(`Token ${TOKEN}`));
    expect(token.events.map((e) => e.code)).toEqual(['invalid_credentials']);
    expect(JSON.stringify(token.events)).not.toContain(TOKEN);
  });

  it('LEAK-08 a username with CR/LF is logged with CR/LF escaped: no forged line', async () => {
    const { events, run } = capture(fixtureBasic());
    const r = responseOf(await run(conn(basicHeader(FORGED, PASSWORD))));
    expect(r.status).toBe(401);
    expect(events).toHaveLength(1);
    expect(events[0]?.code).toBe('invalid_credentials');
    expect(events[0]?.subject).toBe('alice\\r\\n2026-01-01 INFO login ok user=admin');
    expectNoControlCharacters(events);
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
  });

  it('LEAK-08 a subject from any backend is escaped, CR/LF and other separators included', async () => {
    const backend: AuthenticationBackend<BaseUser> = {
      authenticate: (c) => {
        throw new AuthenticationError('invalid_credentials', { subject: c.header('x-claimed') ?? '' });
      },
    };
    const events: AuthenticationFailure[] = [];
    const authenticator = createAuthenticator({ backend, log: (e) => events.push(e) });
    const claimed = `${FORGED}\u2028x\u0085y\u001b[31mz\u0000\u007f`;
    await authenticator.run(createConnection({ method: 'GET', target: '/', header: (n) => (n === 'x-claimed' ? claimed : undefined) }));
    expect(events[0]?.subject).toBe('alice\\r\\n2026-01-01 INFO login ok user=admin\\u2028x\\u0085y\\u001b[31mz\\u0000\\u007f');
    expectNoControlCharacters(events);
  });

  it('LEAK-08 a path and method with control characters are escaped', async () => {
    const { events, run } = capture(fixtureBearer());
    await run(conn('Bearer tok_bad', '/admin\r\n2026-01-01 INFO x', 'GE\nT'));
    expect(events).toHaveLength(1);
    expect(events[0]?.path).toBe('/admin\\r\\n2026-01-01 INFO x');
    expect(events[0]?.method).toBe('GE\\nT');
    expectNoControlCharacters(events);
  });

  it('escapeForLog escapes backslashes, so an escaped CR cannot be forged with a literal "\\r"', () => {
    expect(escapeForLog('a\r\nb')).toBe('a\\r\\nb');
    expect(escapeForLog('a\\r\\nb')).toBe('a\\\\r\\\\nb');
    expect(escapeForLog('a\\r\\nb')).not.toBe(escapeForLog('a\r\nb'));
    expect(escapeForLog('\t\u0000\u007f\u009f')).toBe('\\u0009\\u0000\\u007f\\u009f');
    expect(escapeForLog('plain älice 日本')).toBe('plain älice 日本');
  });

  it('a logger that throws does not change the answer', async () => {
    for (const header of [basicHeader('alice', 'wrong'), basicHeader('alice', 'correct horse'), 'Basic !!!']) {
      const plain = await createAuthenticator({ backend: fixtureBasic() }).run(conn(header));
      const throwing = await createAuthenticator({
        backend: fixtureBasic(),
        log: () => {
          throw new Error('logger down');
        },
      }).run(conn(header));
      expect(throwing).toEqual(plain);
    }
  });

  it('an async logger that rejects does not change the answer or leave an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', listener);
    try {
      // A plain function: a vi.fn spy would itself handle the rejection (it records settled results).
      let calls = 0;
      const log = async (): Promise<void> => {
        calls++;
        throw new Error('logger down');
      };
      const plain = await createAuthenticator({ backend: fixtureBasic() }).run(conn(basicHeader('alice', 'wrong')));
      const d = await createAuthenticator({ backend: fixtureBasic(), log }).run(conn(basicHeader('alice', 'wrong')));
      expect(d).toEqual(plain);
      expect(calls).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', listener);
    }
  });

  it('successful and anonymous requests log nothing', async () => {
    const { events, run } = capture(fixtureBasic());
    await run(conn(basicHeader('alice', 'correct horse')));
    await run(conn());
    await run(conn('Bearer tok_for_another_backend'));
    expect(events).toEqual([]);
  });

  it('backend_unavailable is logged with its code, without the cause', async () => {
    const backend = basicAuth({
      verify: () => {
        throw new Error('connect postgres://app:dbpass@db:5432 refused');
      },
    });
    const { events, run } = capture(backend);
    expect(responseOf(await run(conn(basicHeader('alice', PASSWORD)))).status).toBe(503);
    expect(events).toHaveLength(1);
    expect(events[0]?.code).toBe('backend_unavailable');
    const json = JSON.stringify(events);
    expect(json).not.toContain('dbpass');
    expect(json).not.toContain(PASSWORD);
  });

  it('duplicate and oversized Authorization values are logged by code, never by value', async () => {
    const { events, run } = capture(fixtureBasic());
    const header = basicHeader('alice', PASSWORD);
    await run(conn(`${header}, ${header}`));
    await run(conn(`Basic ${'A'.repeat(9000)}${b64(PASSWORD)}`));
    expect(events.map((e) => e.code)).toEqual(['duplicate_authorization', 'oversized_authorization']);
    const json = JSON.stringify(events);
    expect(json).not.toContain(b64(PASSWORD));
    expect(json).not.toContain('AAAA');
  });

  it('a chain logs one event per failed request', async () => {
    const { events, run } = capture(multi([fixtureBearer(), fixtureBasic()]));
    await run(conn(basicHeader('alice', PASSWORD)));
    expect(events).toHaveLength(1);
    expect(events[0]?.subject).toBe('alice');
  });

  it('the log runs even when onError answers', async () => {
    const { events, run } = capture(fixtureBasic(), { onError: () => ({ status: 401, headers: {}, body: 'no' }) });
    expect(responseOf(await run(conn(basicHeader('alice', 'wrong')))).body).toBe('no');
    expect(events).toHaveLength(1);
  });

  it('log must be a function', () => {
    expect(() => createAuthenticator({ backend: fixtureBasic(), log: 'console' as never })).toThrow(ConfigurationError);
  });
});
