import { all, apiKeyAuth, basicAuth, multi, sessionAuth, SimpleUser, type Principal, type ViaOf } from '@portcullis/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { jwtAuth, jwtCookieAuth, tokenOf, type JwtAuthOptions } from '../src/index.js';
import { AUDIENCE, ISSUER, SECRET, T0, connection, retrieveUser } from './helpers.js';

const base: JwtAuthOptions<SimpleUser> = { algorithms: ['HS256'], secret: SECRET, issuer: ISSUER, audience: AUDIENCE, retrieveUser, clock: () => T0 };
const KEY = 'ck_live_0123456789abcdef';
const clientKey = apiKeyAuth({ header: 'x-client-key', verify: (key) => (key === KEY ? new SimpleUser('ci') : null) });

describe('JWT backends: names and auth.via', () => {
  it("jwtAuth is 'jwt' and jwtCookieAuth 'jwtCookie' by default; name renames them; their JwtCredentials carry it", async () => {
    const jwt = jwtAuth(base);
    expect(jwt.name).toBe('jwt');
    expect(jwtCookieAuth({ ...base, cookie: { secure: false } }).name).toBe('jwtCookie');
    const { token } = await jwt.issue('alice');
    const p = (await jwt.authenticate(connection({ token }))) as Principal;
    expect(p.auth.via).toBe('jwt');
    expect(tokenOf(p.auth)?.sub).toBe('alice');
    const partner = jwtAuth({ ...base, name: 'partnerJwt' });
    expect(((await partner.authenticate(connection({ token }))) as Principal).auth.via).toBe('partnerJwt');
    expectTypeOf<ViaOf<typeof jwt>>().toEqualTypeOf<'jwt'>();
    expectTypeOf<ViaOf<typeof partner>>().toEqualTypeOf<'partnerJwt'>();
    expect(() => multi([jwt, jwtAuth(base)])).toThrow(/two backends are named "jwt"/);
  });

  it('all([client key, jwt]): the token\'s user, via lists both, and the token stays reachable through the part', async () => {
    const jwt = jwtAuth(base);
    const { token } = await jwt.issue('alice');
    const backend = all([clientKey, jwt]);
    const p = (await backend.authenticate(connection({ token, headers: { 'x-client-key': KEY } }))) as Principal;
    expect(p.user.identity).toBe('alice');
    expect(p.auth.via).toBe('apiKey+jwt');
    expect(tokenOf(p.auth.part('jwt')?.auth)?.sub).toBe('alice');
    // The 403 of a guard still speaks Bearer (insufficient_scope), from the JWT part.
    expect(p.auth.insufficientScope?.(['admin'])).toContain('error="insufficient_scope"');
  });

  it('a JWT cookie backend reads the Authorization header too: combined with Basic it is refused at startup', () => {
    const cookie = jwtCookieAuth({ ...base, cookie: { secure: false } });
    expect(() => all([cookie, basicAuth({ verify: () => null })])).toThrow(/'jwtCookie' and 'basic' both read authorization/);
  });

  it('a JWT cookie named like the session cookie is refused at startup next to sessionAuth; other names are fine', () => {
    const named = (name: string) => jwtCookieAuth({ ...base, cookie: { secure: false, name } });
    expect(() => all([named('id'), sessionAuth({ retrieveUser: () => null })])).toThrow(/'jwtCookie' and 'session' both read cookie:id/);
    expect(() => all([named('sid'), sessionAuth({ retrieveUser: () => null, cookieName: 'sid' })])).toThrow(/both read cookie:sid/);
    expect(all([named('access_token'), sessionAuth({ retrieveUser: () => null })]).name).toBe('jwtCookie+session');
  });
});
