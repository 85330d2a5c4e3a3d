import { ConfigurationError, SimpleUser, type AuthenticationFailure, type Principal } from '@portcullis/core';
import { createAuthenticator, createGuard } from '@portcullis/core/adapter';
import { describe, expect, it } from 'vitest';
import { jwtAuth, tokenOf } from '../src/index.js';
import { AUDIENCE, INVALID_TOKEN, ISSUER, T0, T0S, connection, handmade, hsOptions, refusal, sign } from './helpers.js';

const METADATA = 'https://api.example.com/.well-known/oauth-protected-resource';

const options = hsOptions;

const auth = (backend: ReturnType<typeof jwtAuth>, token: string) => backend.authenticate(connection({ token })) as Promise<Principal<SimpleUser>>;

describe('JWT auth_time, acr and amr (step-up, RFC 9470)', () => {
  const jwt = jwtAuth(options({ resourceMetadata: METADATA }));

  it('the claims become the credentials: authTime in ms, acr, amr', async () => {
    const principal = await auth(jwt, await sign({ auth_time: T0S - 60, acr: 'urn:example:mfa', amr: ['pwd', 'otp'] }));
    expect(principal.auth.authTime).toBe(T0 - 60_000);
    expect(principal.auth.acr).toBe('urn:example:mfa');
    expect(principal.auth.amr).toEqual(['pwd', 'otp']);
    expect(tokenOf(principal.auth)?.authTime).toBe(T0S - 60);
  });

  it('claims of the wrong type refuse the token (claim_invalid)', async () => {
    for (const claims of [{ auth_time: '1700000000' }, { auth_time: 1.5 }, { auth_time: -1 }, { acr: 3 }, { acr: '' }, { amr: 'pwd' }, { amr: [1] }, { client_id: 5 }]) {
      expect((await refusal(auth(jwt, await sign(claims)))).code).toBe('claim_invalid');
    }
  });

  it('STP-10 a token whose auth_time is within maxAge passes', async () => {
    const principal = await auth(jwt, await sign({ auth_time: T0S - 10 }));
    expect(createGuard('authenticated', { maxAge: 300 }).check(connection(), { user: principal.user, auth: principal.auth, challenges: jwt.challenges })).toBeNull();
  });

  it('STP-11 auth_time older than maxAge (or none): 401 insufficient_user_authentication, max_age and resource_metadata', async () => {
    const guard = createGuard('authenticated', { maxAge: 300 });
    for (const claims of [{ auth_time: T0S - 301 }, {}]) {
      const principal = await auth(jwt, await sign(claims));
      const answer = guard.check(connection(), { user: principal.user, auth: principal.auth, challenges: jwt.challenges });
      expect(answer?.status).toBe(401);
      expect(answer?.headers['www-authenticate']).toBe(
        `Bearer realm="api", error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="300", resource_metadata="${METADATA}"`,
      );
    }
  });

  it('STP-12 a different acr: 401 with acr_values', async () => {
    const principal = await auth(jwt, await sign({ acr: 'urn:example:pwd' }));
    const answer = createGuard('authenticated', { acr: 'urn:example:mfa' }).check(connection(), { user: principal.user, auth: principal.auth, challenges: jwt.challenges });
    expect(answer?.status).toBe(401);
    expect(answer?.headers['www-authenticate']).toContain('error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="urn:example:mfa"');
  });

  it('issue() writes auth_time, acr, amr and client_id, and checks them', async () => {
    const { claims } = await jwt.issue('alice', { authTime: T0S - 5, acr: 'urn:example:mfa', amr: ['pwd', 'otp'], clientId: 'web' });
    expect(claims).toMatchObject({ authTime: T0S - 5, acr: 'urn:example:mfa', amr: ['pwd', 'otp'], clientId: 'web' });
    for (const bad of [{ authTime: 1.5 }, { acr: '' }, { amr: ['ok', ''] }, { clientId: '' }]) {
      await expect(jwt.issue('alice', bad as never)).rejects.toMatchObject({ code: 'invalid_issue_options' });
    }
  });
});

describe('MD-10 resource_metadata in every Bearer challenge of the JWT backends', () => {
  it('the 401 without credentials, invalid_token and invalid_request carry the configured URL', async () => {
    const jwt = jwtAuth(options({ resourceMetadata: METADATA }));
    expect(jwt.challenges).toEqual([`Bearer realm="api", resource_metadata="${METADATA}"`]);
    expect((await refusal(auth(jwt, 'a.b.c'))).challenge).toBe(`Bearer realm="api", error="invalid_token", resource_metadata="${METADATA}"`);
  });

  it('refuses a relative or plain-http URL at startup', () => {
    for (const resourceMetadata of ['/.well-known/oauth-protected-resource', 'http://api.example.com/.well-known/oauth-protected-resource']) {
      expect(() => jwtAuth(options({ resourceMetadata }))).toThrow(ConfigurationError);
    }
  });
});

describe("profile: 'rfc9068' (JWT access-token profile)", () => {
  const jwt = jwtAuth(options({ profile: 'rfc9068', clientId: 'web' }));
  const complete = { client_id: 'web' };

  it('accepts at+jwt and application/at+jwt tokens with every required claim', async () => {
    expect((await auth(jwt, await sign(complete))).user.identity).toBe('alice');
    expect((await auth(jwt, await sign(complete, { header: { typ: 'application/at+jwt' } }))).user.identity).toBe('alice');
    expect((await auth(jwt, await sign(complete, { header: { typ: 'AT+JWT' } }))).user.identity).toBe('alice');
  });

  it('refuses another typ or a missing claim: invalid_token, and the failure log says access_token_profile_refused', async () => {
    const events: AuthenticationFailure[] = [];
    const authenticator = createAuthenticator({ backend: jwt, mode: 'required', log: (e) => events.push(e) });
    const tokens = [
      await sign(complete, { header: { typ: 'JWT' } }),
      await handmade({ alg: 'HS256' }, { sub: 'alice', iss: ISSUER, aud: AUDIENCE, iat: T0S, exp: T0S + 60, jti: 'j', client_id: 'web' }),
      ...(await Promise.all(['iss', 'aud', 'sub', 'iat', 'jti'].map((claim) => sign(complete, { omit: [claim] })))),
      await sign({}),
    ];
    for (const token of tokens) {
      const decision = await authenticator.run(connection({ token }));
      expect(decision.type).toBe('respond');
      if (decision.type !== 'respond') continue;
      expect(decision.response.status).toBe(401);
      expect(decision.response.headers['www-authenticate']).toBe(INVALID_TOKEN);
    }
    // A missing `iss`, `aud` or `sub` is refused before the profile is checked (always required); typ, iat, jti, client_id by the profile.
    expect(events.filter((e) => e.reason === 'access_token_profile_refused')).toHaveLength(5);
    expect(events).toHaveLength(tokens.length);
    expect(events.every((e) => e.code === 'invalid_credentials')).toBe(true);
  });

  it('issues tokens that follow it: typ at+jwt, client_id, iat, jti; a client_id is required', async () => {
    const { token, claims } = await jwt.issue('alice');
    expect(JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString())).toMatchObject({ typ: 'at+jwt' });
    expect(claims).toMatchObject({ clientId: 'web', iat: T0S, aud: AUDIENCE });
    expect(claims.jti).toBeTruthy();
    expect((await auth(jwt, token)).user.identity).toBe('alice');
    const noClient = jwtAuth(options({ profile: 'rfc9068' }));
    await expect(noClient.issue('alice')).rejects.toMatchObject({ code: 'invalid_issue_options' });
    expect((await noClient.issue('alice', { clientId: 'cli' })).claims.clientId).toBe('cli');
  });

  it('is checked at startup: needs typ at+jwt and an audience', () => {
    expect(() => jwtAuth(options({ profile: 'rfc9068', typ: null }))).toThrow(ConfigurationError);
    expect(() => jwtAuth(options({ profile: 'rfc9068', typ: 'JWT' }))).toThrow(ConfigurationError);
    expect(() => jwtAuth(options({ profile: 'rfc9068', audience: null }))).toThrow(ConfigurationError);
    expect(() => jwtAuth(options({ profile: 'rfc7519' as 'rfc9068' }))).toThrow(ConfigurationError);
    expect(() => jwtAuth(options({ clientId: '' }))).toThrow(ConfigurationError);
  });
});
