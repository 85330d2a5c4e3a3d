import type { AuthenticationFailure, SimpleUser } from '@portcullis/core';
import { createAuthenticator, createConnection } from '@portcullis/core/adapter';
import { describe, expect, it } from 'vitest';
import { MemoryRevocationStore, jwtCookieAuth } from '../src/index.js';
import { AUDIENCE, ISSUER, SECRET, T0, T0S, b64url, handmade, refusal, retrieveUser, sign } from './helpers.js';

describe('LEAK-07 no token, secret or cookie value in logs, messages or answers', () => {
  it('failures are logged with a code, never with the token; error messages are fixed text', async () => {
    const revocation = new MemoryRevocationStore();
    const jwt = jwtCookieAuth<SimpleUser>({
      algorithms: ['HS256'], secret: SECRET, issuer: ISSUER, audience: AUDIENCE, retrieveUser, clock: () => T0, revocation, cookie: { secure: false },
    });
    const events: AuthenticationFailure[] = [];
    const authenticator = createAuthenticator({ backend: jwt, onError: jwt.onError, log: (e) => events.push(e) });
    const revoked = await jwt.issue('alice');
    await jwt.revoke(revoked.claims);
    const tokens = [
      await sign({ exp: T0S - 1 }),
      await sign({ aud: 'other' }),
      await handmade({ alg: 'none' }, { sub: 'admin' }, null, ''),
      revoked.token,
      `${(await sign({})).slice(0, -3)}AAA`,
      await sign({ sub: 'mallory' }),
    ];
    const answers: string[] = [];
    for (const token of tokens) {
      const transports: Record<string, string>[] = [{ authorization: `Bearer ${token}` }, { cookie: `access_token=${token}` }];
      for (const header of transports) {
        const d = await authenticator.run(createConnection({ method: 'GET', target: '/me', header: (n) => header[n], now: () => T0 }));
        expect(d.type).toBe('respond');
        if (d.type === 'respond') answers.push(JSON.stringify(d.response));
        const r = await refusal(jwt.authenticate(createConnection({ method: 'GET', target: '/me', header: (n) => header[n], now: () => T0 })));
        expect(r.status).toBe('invalid_credentials');
      }
    }
    expect(events.length).toBe(tokens.length * 2);
    const logged = JSON.stringify(events);
    const secret = b64url(SECRET);
    for (const token of tokens) {
      for (const part of token.split('.').filter((p) => p.length > 8)) {
        expect(logged).not.toContain(part);
        for (const a of answers) expect(a).not.toContain(part);
      }
    }
    expect(logged).not.toContain(secret);
    // The subject of a verified token whose user is unknown is logged (escaped): an id, not a credential.
    expect(events.map((e) => e.subject).filter(Boolean)).toEqual(['mallory', 'mallory']);
  });

  it('errors thrown to the caller carry codes and fixed messages only', async () => {
    const jwt = jwtCookieAuth<SimpleUser>({ algorithms: ['HS256'], secret: SECRET, issuer: ISSUER, audience: AUDIENCE, retrieveUser });
    const token = await sign({ exp: T0S - 1 });
    try {
      await jwt.verify(token, { now: T0 });
      expect.unreachable();
    } catch (error) {
      const text = `${String(error)} ${JSON.stringify(error)} ${String((error as Error).cause)}`;
      expect(text).not.toContain(token.split('.')[1] as string);
    }
  });
});
