import { SimpleUser, basicAuth, multi, type Principal } from '@portcullis/core';
import { createAuthenticator } from '@portcullis/core/adapter';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { jwtAuth, type JwtAuthOptions } from '../src/index.js';
import {
  AUDIENCE,
  INVALID_TOKEN,
  ISSUER,
  SECRET,
  T0,
  b64url,
  connection,
  handmade,
  jwksServer,
  keyPair,
  refusal,
  retrieveUser,
  sign,
  sleep,
  type JwksServer,
} from './helpers.js';

const servers: JwksServer[] = [];
async function server(...args: Parameters<typeof jwksServer>): Promise<JwksServer> {
  const s = await jwksServer(...args);
  servers.push(s);
  return s;
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

function backend(url: string, extra: Partial<JwtAuthOptions<SimpleUser>> = {}) {
  return jwtAuth<SimpleUser>({
    algorithms: ['RS256', 'ES256'],
    jwks: { url, cacheMaxAge: 600_000, cooldownDuration: 30_000, timeoutDuration: 1_000 },
    issuer: ISSUER,
    audience: AUDIENCE,
    retrieveUser,
    clock: () => T0,
    ...extra,
  });
}
const auth = (b: ReturnType<typeof jwtAuth>, token: string) => b.authenticate(connection({ token })) as Promise<Principal<SimpleUser>>;

describe('remote JWKS', () => {
  let rsa: Awaited<ReturnType<typeof keyPair>>;
  let ec: Awaited<ReturnType<typeof keyPair>>;
  beforeAll(async () => {
    rsa = await keyPair('RS256', 'rsa-1');
    ec = await keyPair('ES256', 'ec-1');
  });

  it('verifies RS256 and ES256 tokens with keys fetched once and cached', async () => {
    const idp = await server([rsa.jwk, ec.jwk]);
    const jwt = backend(idp.url);
    expect((await auth(jwt, await sign({}, { alg: 'RS256', key: rsa.privateKey, header: { kid: 'rsa-1' } }))).user.identity).toBe('alice');
    expect((await auth(jwt, await sign({}, { alg: 'ES256', key: ec.privateKey, header: { kid: 'ec-1' } }))).user.identity).toBe('alice');
    for (let i = 0; i < 20; i++) await auth(jwt, await sign({ sub: 'bob' }, { alg: 'ES256', key: ec.privateKey, header: { kid: 'ec-1' } }));
    expect(idp.hits).toBe(1);
  });

  it('DOS-05 1,000 requests with random kids → the JWKS server gets ≤ 1 hit per cooldownDuration', async () => {
    const idp = await server([rsa.jwk]);
    const jwt = backend(idp.url);
    const header = (kid: string) => b64url(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid }));
    const body = b64url(JSON.stringify({ sub: 'alice', iss: ISSUER, aud: AUDIENCE, exp: T0 / 1000 + 300 }));
    const codes = new Set<string | undefined>();
    for (let batch = 0; batch < 10; batch++) {
      const results = await Promise.all(
        Array.from({ length: 100 }, () => refusal(auth(jwt, `${header(crypto.randomUUID())}.${body}.${b64url('sig')}`))),
      );
      for (const r of results) {
        codes.add(r.code);
        expect(r.challenge).toBe(INVALID_TOKEN);
      }
    }
    expect([...codes]).toEqual(['key_not_found']);
    expect(idp.hits).toBeLessThanOrEqual(1);
  });

  it('DOS-06 a JWKS that sleeps 10 s: the request fails within timeoutDuration with 503, other requests are not blocked', async () => {
    const idp = await server([rsa.jwk]);
    idp.delay = 10_000;
    const mixed = backend(idp.url, {
      algorithms: ['HS256', 'RS256'],
      keys: [{ alg: 'HS256', secret: SECRET }],
      jwks: { url: idp.url, cacheMaxAge: 600_000, cooldownDuration: 30_000, timeoutDuration: 500 },
    });
    const rsToken = await sign({}, { alg: 'RS256', key: rsa.privateKey, header: { kid: 'rsa-1' } });
    const start = performance.now();
    const slow = refusal(auth(mixed, rsToken));
    // Meanwhile a token verified with a local key answers at once.
    const fast = await auth(mixed, await sign({}));
    expect(performance.now() - start).toBeLessThan(400);
    expect(fast.user.identity).toBe('alice');
    const r = await slow;
    const elapsed = performance.now() - start;
    expect(elapsed).toBeLessThan(2_000);
    expect(r).toMatchObject({ status: 'backend_unavailable', code: 'jwks_unavailable' });
    // Right after a failure, requests fail fast without another fetch.
    const hits = idp.hits;
    const again = performance.now();
    expect((await refusal(auth(mixed, rsToken))).status).toBe('backend_unavailable');
    expect(performance.now() - again).toBeLessThan(100);
    expect(idp.hits).toBe(hits);
  });

  it('DOS-06 a JWKS answering 500 or junk → 503 generic (backend_unavailable), never 500 or anonymous', async () => {
    const idp = await server([rsa.jwk]);
    idp.status = 500;
    const jwt = backend(idp.url);
    const r = await refusal(auth(jwt, await sign({}, { alg: 'RS256', key: rsa.privateKey, header: { kid: 'rsa-1' } })));
    expect(r.status).toBe('backend_unavailable');
  });

  it('DOS-05/06 while the provider is down, cached keys keep working and unknown kids never reach the network', async () => {
    const idp = await server([ec.jwk]);
    const jwt = backend(idp.url, { jwks: { url: idp.url, cacheMaxAge: 60_000, cooldownDuration: 400, timeoutDuration: 1_000 } });
    const known = await sign({}, { alg: 'ES256', key: ec.privateKey, header: { kid: 'ec-1' } });
    const bob = await sign({ sub: 'bob' }, { alg: 'ES256', key: ec.privateKey, header: { kid: 'ec-1' } });
    expect((await auth(jwt, known)).user.identity).toBe('alice');
    await sleep(450); // past the cooldown: an unknown kid may trigger a refetch
    idp.status = 500;
    const unknown = await sign({}, { alg: 'ES256', key: ec.privateKey, header: { kid: 'ec-9' } });
    expect((await refusal(auth(jwt, unknown))).status).toBe('backend_unavailable'); // the refetch failed
    const hits = idp.hits;
    // Within the failure backoff (min(cooldown, 5 s)): no fetch at all.
    for (let i = 0; i < 10; i++) {
      expect((await refusal(auth(jwt, unknown))).status).toBe('invalid_credentials');
      expect((await auth(jwt, bob)).user.identity).toBe('bob');
    }
    expect(idp.hits).toBe(hits);
  });

  it('CHN-01 chain [jwt, basic]: a JWKS timeout on a Bearer request halts the chain with 503', async () => {
    const idp = await server([rsa.jwk]);
    idp.delay = 10_000;
    let basicCalls = 0;
    const chain = multi([
      backend(idp.url, { jwks: { url: idp.url, timeoutDuration: 300 } }),
      basicAuth({ verify: () => { basicCalls++; return new SimpleUser('basic'); } }),
    ]);
    const authenticator = createAuthenticator({ backend: chain, mode: 'required' });
    const token = await sign({}, { alg: 'RS256', key: rsa.privateKey, header: { kid: 'rsa-1' } });
    const decision = await authenticator.run(connection({ token }));
    expect(decision.type).toBe('respond');
    if (decision.type === 'respond') {
      expect(decision.response.status).toBe(503);
      expect(decision.response.body).not.toContain(token.slice(0, 16));
    }
    expect(basicCalls).toBe(0);
  });

  it('JWT-06 a JWKS key without alg and a token header alg:HS256 with its kid → 401-T (the algorithm comes from config)', async () => {
    const { alg: _alg, ...noAlg } = rsa.jwk;
    const idp = await server([{ ...noAlg, kid: 'k' }]);
    const jwt = backend(idp.url);
    const secret = new TextEncoder().encode(JSON.stringify(noAlg)).slice(0, 64);
    const token = await sign({}, { alg: 'HS256', key: secret, header: { kid: 'k' } });
    expect((await refusal(auth(jwt, token))).code).toBe('algorithm_not_allowed');
    // Even with HS256 pinned (typed), the HMAC key is the configured secret, never a JWKS member.
    const mixed = backend(idp.url, { algorithms: ['HS256', 'RS256'], keys: [{ alg: 'HS256', secret: SECRET }] });
    expect((await refusal(auth(mixed, token))).code).toBe('signature_invalid');
    expect(idp.hits).toBe(0);
  });

  it('JWT-20 jku / x5u pointing at an attacker server: 401-T and the attacker gets 0 requests', async () => {
    const attacker = await keyPair('RS256', 'a');
    const evil = await server([attacker.jwk]);
    const idp = await server([rsa.jwk]);
    const jwt = backend(idp.url);
    for (const header of [{ kid: 'a', jku: evil.url }, { kid: 'a', x5u: evil.url }, { jku: evil.url }]) {
      const token = await sign({}, { alg: 'RS256', key: attacker.privateKey, header });
      const r = await refusal(auth(jwt, token));
      expect(r.challenge).toBe(INVALID_TOKEN);
    }
    // A local-key backend never fetches anything either.
    const local = jwtAuth<SimpleUser>({ algorithms: ['RS256'], publicKey: rsa.publicKey, issuer: ISSUER, audience: AUDIENCE, retrieveUser, clock: () => T0 });
    await refusal(auth(local, await sign({}, { alg: 'RS256', key: attacker.privateKey, header: { jku: evil.url } })));
    expect(evil.hits).toBe(0);
  });

  it('JWT-21 an embedded jwk (or x5c) naming the attacker key → 401-T; EmbeddedJWK is never used', async () => {
    const attacker = await keyPair('RS256');
    const local = jwtAuth<SimpleUser>({ algorithms: ['RS256'], publicKey: rsa.publicKey, issuer: ISSUER, audience: AUDIENCE, retrieveUser, clock: () => T0 });
    const { alg: _a, use: _u, ...jwk } = attacker.jwk;
    const embedded = await sign({}, { alg: 'RS256', key: attacker.privateKey, header: { jwk } });
    expect((await refusal(auth(local, embedded))).code).toBe('signature_invalid');
    const x5c = await sign({}, { alg: 'RS256', key: attacker.privateKey, header: { x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'] } });
    expect((await refusal(auth(local, x5c))).code).toBe('signature_invalid');
  });

  it('JWT-31(a) a new kid is accepted after cooldownDuration, with ≤ 1 refetch', async () => {
    const next = await keyPair('ES256', 'ec-2');
    const idp = await server([ec.jwk]);
    const jwt = backend(idp.url, { jwks: { url: idp.url, cacheMaxAge: 60_000, cooldownDuration: 300, timeoutDuration: 1_000 } });
    await auth(jwt, await sign({}, { alg: 'ES256', key: ec.privateKey, header: { kid: 'ec-1' } }));
    expect(idp.hits).toBe(1);
    idp.keys = [ec.jwk, next.jwk];
    const rotated = await sign({}, { alg: 'ES256', key: next.privateKey, header: { kid: 'ec-2' } });
    expect((await refusal(auth(jwt, rotated))).code).toBe('key_not_found'); // within the cooldown: no fetch
    expect(idp.hits).toBe(1);
    await sleep(350);
    expect((await auth(jwt, rotated)).user.identity).toBe('alice');
    expect(idp.hits).toBe(2);
  });

  it('JWT-31(b) a key removed from the set is refused once cacheMaxAge has passed (also for cached tokens)', async () => {
    const idp = await server([ec.jwk]);
    const jwt = backend(idp.url, { jwks: { url: idp.url, cacheMaxAge: 400, cooldownDuration: 100, timeoutDuration: 1_000 } });
    const token = await sign({}, { alg: 'ES256', key: ec.privateKey, header: { kid: 'ec-1' } });
    expect((await auth(jwt, token)).user.identity).toBe('alice');
    idp.keys = [];
    expect((await auth(jwt, token)).user.identity).toBe('alice'); // still within cacheMaxAge
    await sleep(450);
    expect((await refusal(auth(jwt, token))).code).toBe('key_not_found');
  });

  describe('JWT-31(b) on a frozen wall clock (jose times the key set with Date.now)', () => {
    const MAX_AGE = 600_000;
    const jwksOptions = (url: string) => ({ url, cacheMaxAge: MAX_AGE, cooldownDuration: 30_000, timeoutDuration: 1_000 });
    const esToken = (sub: string) => sign({ sub }, { alg: 'ES256', key: ec.privateKey, header: { kid: 'ec-1' } });
    /** A provider publishing ec-1, and a backend whose first fetch happens at T0. */
    async function provider() {
      vi.setSystemTime(T0);
      const idp = await server([ec.jwk]);
      return { idp, jwt: backend(idp.url, { jwks: jwksOptions(idp.url) }) };
    }
    beforeAll(() => {
      vi.useFakeTimers({ toFake: ['Date'] });
    });
    afterEach(() => {
      vi.setSystemTime(T0);
    });
    afterAll(() => {
      vi.useRealTimers();
    });

    it('JWT-31(b) a cached token whose key was removed is refused once the key set it was verified with is cacheMaxAge old', async () => {
      const { idp, jwt } = await provider();
      expect((await auth(jwt, await esToken('alice'))).user.identity).toBe('alice'); // the set is fetched at T0
      vi.setSystemTime(T0 + MAX_AGE - 10_000);
      const late = await esToken('bob');
      expect((await auth(jwt, late)).user.identity).toBe('bob'); // verified late with the set of T0, and cached
      idp.keys = []; // the provider rotates the key out
      vi.setSystemTime(T0 + MAX_AGE - 1);
      expect((await auth(jwt, late)).user.identity).toBe('bob'); // within the bound
      expect(idp.hits).toBe(1);
      vi.setSystemTime(T0 + MAX_AGE); // the set of T0 is cacheMaxAge old: not T0 + MAX_AGE - 10 s + MAX_AGE
      expect(await refusal(auth(jwt, late))).toMatchObject({ status: 'invalid_credentials', code: 'key_not_found', challenge: INVALID_TOKEN });
      expect(idp.hits).toBe(2);
    });

    it('JWT-31(b) a refresh that drops the key makes a cached token re-verify at once, before cacheMaxAge', async () => {
      const { idp, jwt } = await provider();
      const token = await esToken('alice');
      expect((await auth(jwt, token)).user.identity).toBe('alice');
      idp.keys = [];
      vi.setSystemTime(T0 + 30_001); // past the cooldown: an unknown kid refetches the set
      const unknown = await sign({}, { alg: 'ES256', key: ec.privateKey, header: { kid: 'ec-9' } });
      expect((await refusal(auth(jwt, unknown))).code).toBe('key_not_found');
      expect(idp.hits).toBe(2);
      expect((await refusal(auth(jwt, token))).code).toBe('key_not_found'); // the cached verification is not used
      expect(idp.hits).toBe(2);
    });

    it('a cached token whose key is still published keeps working across refreshes (re-verified, then cached again)', async () => {
      const { idp, jwt } = await provider();
      const token = await esToken('alice');
      await auth(jwt, token);
      vi.setSystemTime(T0 + MAX_AGE);
      const refreshed = jwt.authenticate(connection({ token }));
      expect(refreshed).toBeInstanceOf(Promise); // re-verified: the set is refetched
      expect((await refreshed)?.user.identity).toBe('alice');
      expect(idp.hits).toBe(2);
      const hit = jwt.authenticate(connection({ token }));
      expect(hit).not.toBeInstanceOf(Promise); // and cached again, with the new set
      expect(idp.hits).toBe(2);
    });
  });

  it('JWT-31(c) a {"kty":"oct"} member with the token’s kid → 401-T', async () => {
    const idp = await server([{ kty: 'oct', kid: 'k', k: b64url(SECRET) }, rsa.jwk]);
    const jwt = backend(idp.url);
    const rs = await sign({}, { alg: 'RS256', key: rsa.privateKey, header: { kid: 'k' } });
    expect((await refusal(auth(jwt, rs))).challenge).toBe(INVALID_TOKEN);
    const hs = await sign({}, { alg: 'HS256', key: SECRET, header: { kid: 'k' } });
    expect((await refusal(auth(jwt, hs))).challenge).toBe(INVALID_TOKEN);
  });

  it('JWT-31(d) two members match the token → 401-T', async () => {
    const twin = await keyPair('RS256', 'rsa-1');
    const idp = await server([rsa.jwk, twin.jwk]);
    const jwt = backend(idp.url);
    const r = await refusal(auth(jwt, await sign({}, { alg: 'RS256', key: rsa.privateKey, header: { kid: 'rsa-1' } })));
    expect(r).toMatchObject({ status: 'invalid_credentials', code: 'key_not_found', challenge: INVALID_TOKEN });
  });

  it('a JWKS-verified token without a matching local alg: handmade junk never reaches the network twice', async () => {
    const idp = await server([rsa.jwk]);
    const jwt = backend(idp.url);
    const token = await handmade({ alg: 'RS256', typ: 'at+jwt', kid: 'rsa-1' }, { sub: 'alice' }, null, b64url('x'));
    await refusal(auth(jwt, token));
    await refusal(auth(jwt, token));
    expect(idp.hits).toBe(1);
  });
});
