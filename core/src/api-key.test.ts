import { describe, it, expect, vi } from 'vitest';
import { apiKeyAuth, type ApiKeyAuthOptions } from './api-key.js';
import { createAuthenticator, type AuthDecision } from './authenticator.js';
import type { Connection } from './connection.js';
import { ConfigurationError } from './errors.js';
import { ANONYMOUS, SimpleUser, type BaseUser } from './user.js';
import { conn as connection, configError, jsonErrorOf as codeOf, responseOf, userOf } from '../../test-support/connection.js';

const conn = (headers: Record<string, string> = {}, target = '/api'): Connection =>
  connection({ target, headers: { accept: 'application/json', ...headers } });

const KEY = 'pk_live_4eC39HqLyjWDarjtT1zdp7dc';
const service = new SimpleUser('billing-service');
const CHALLENGE = 'ApiKey header="x-api-key"';

function fixture(options: Partial<ApiKeyAuthOptions<SimpleUser>> = {}) {
  const verify = vi.fn((key: string) => (key === KEY ? service : null));
  return { verify, backend: apiKeyAuth<SimpleUser>({ verify, ...options }) };
}

async function run(options: Partial<ApiKeyAuthOptions<SimpleUser>>, c: Connection, mode: 'optional' | 'required' = 'optional') {
  const { verify, backend } = fixture(options);
  const decision: AuthDecision<BaseUser> = await createAuthenticator({ backend, mode }).run(c);
  return { verify, decision };
}

describe('apiKeyAuth: reading the key', () => {
  it('the default header is x-api-key', async () => {
    const { verify, decision } = await run({}, conn({ 'x-api-key': KEY }));
    expect(userOf(decision)).toBe(service);
    expect(decision.type === 'continue' && decision.auth.scopes).toEqual(['authenticated']);
    expect(verify).toHaveBeenCalledTimes(1);
    expect(verify.mock.calls[0]?.[0]).toBe(KEY);
  });

  it('a custom header is read (case-insensitively configured) and x-api-key is then ignored', async () => {
    const custom = await run({ header: 'X-Service-Key' }, conn({ 'x-service-key': KEY }));
    expect(userOf(custom.decision)).toBe(service);
    const other = await run({ header: 'X-Service-Key' }, conn({ 'x-api-key': KEY }));
    expect(userOf(other.decision)).toBe(ANONYMOUS);
    expect(other.verify).not.toHaveBeenCalled();
  });

  it('surrounding whitespace is not part of the key', async () => {
    expect(userOf((await run({}, conn({ 'x-api-key': ` ${KEY}\t` }))).decision)).toBe(service);
  });

  it('no key: anonymous in optional mode, 401 with ApiKey header="x-api-key" in required mode', async () => {
    const optional = await run({}, conn());
    expect(userOf(optional.decision)).toBe(ANONYMOUS);
    const required = await run({}, conn(), 'required');
    const r = responseOf(required.decision);
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe(CHALLENGE);
    expect(required.verify).not.toHaveBeenCalled();
  });

  it('an unknown key: 401 invalid_credentials with the challenge, never anonymous, key not echoed', async () => {
    const unknown = 'pk_live_XXXXXXXXXXXXXXXXXXXXXXXX';
    const { verify, decision } = await run({}, conn({ 'x-api-key': unknown }));
    const r = responseOf(decision);
    expect(r.status).toBe(401);
    expect(codeOf(r)).toBe('invalid_credentials');
    expect(r.headers['www-authenticate']).toBe(CHALLENGE);
    expect(r.body + JSON.stringify(r.headers)).not.toContain(unknown);
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('the challenge names a custom header, and can be replaced', async () => {
    expect(fixture().backend.challenges).toEqual([CHALLENGE]);
    expect(fixture({ header: 'X-Service-Key' }).backend.challenges).toEqual(['ApiKey header="x-service-key"']);
    expect(fixture({ challenge: 'ApiKey realm="svc"' }).backend.challenges).toEqual(['ApiKey realm="svc"']);
    const r = responseOf((await run({ challenge: 'ApiKey realm="svc"' }, conn({ 'x-api-key': 'nope' }))).decision);
    expect(r.headers['www-authenticate']).toBe('ApiKey realm="svc"');
  });

  for (const [param, target] of [
    ['api_key', `/api?api_key=${KEY}`],
    ['token', `/api?token=${KEY}`],
    ['x-api-key', `/api?x-api-key=${KEY}`],
  ] as const) {
    it(`TOK-10 ?${param}= is ignored unless configured: 401 in required mode, verify not called`, async () => {
      const optional = await run({}, conn({}, target));
      expect(userOf(optional.decision)).toBe(ANONYMOUS);
      const { verify, decision } = await run({}, conn({}, target), 'required');
      const r = responseOf(decision);
      expect(r.status).toBe(401);
      expect(r.headers['www-authenticate']).toBe(CHALLENGE);
      expect(verify).not.toHaveBeenCalled();
      expect(optional.verify).not.toHaveBeenCalled();
    });
  }

  it('a configured query parameter is read', async () => {
    const { verify, decision } = await run({ query: 'api_key' }, conn({}, `/api?x=1&api_key=${KEY}`));
    expect(userOf(decision)).toBe(service);
    expect(verify.mock.calls[0]?.[0]).toBe(KEY);
    // Only the configured name.
    expect(userOf((await run({ query: 'api_key' }, conn({}, `/api?token=${KEY}`))).decision)).toBe(ANONYMOUS);
  });

  it('a key in both the header and the query: 400 duplicate_authorization, verify not called', async () => {
    for (const query of [KEY, 'other-key']) {
      const { verify, decision } = await run({ query: 'api_key' }, conn({ 'x-api-key': KEY }, `/api?api_key=${query}`));
      const r = responseOf(decision);
      expect(r.status).toBe(400);
      expect(codeOf(r)).toBe('duplicate_authorization');
      expect(verify).not.toHaveBeenCalled();
    }
  });

  it('a repeated query parameter: 400 duplicate_authorization', async () => {
    const { verify, decision } = await run({ query: 'api_key' }, conn({}, `/api?api_key=${KEY}&api_key=${KEY}`));
    expect(responseOf(decision).status).toBe(400);
    expect(codeOf(responseOf(decision))).toBe('duplicate_authorization');
    expect(verify).not.toHaveBeenCalled();
  });

  it('a repeated header (joined with ", "): 400 duplicate_authorization, verify not called', async () => {
    for (const value of [`${KEY}, ${KEY}`, `${KEY}, other`, `${KEY},other`]) {
      const { verify, decision } = await run({}, conn({ 'x-api-key': value }));
      const r = responseOf(decision);
      expect(r.status).toBe(400);
      expect(codeOf(r)).toBe('duplicate_authorization');
      expect(verify).not.toHaveBeenCalled();
    }
  });

  for (const [label, key] of [
    ['an inner space', 'pk live'],
    ['a non-ASCII letter', 'pk_kéy'],
    ['a control character', 'pk\u0000key'],
    ['DEL', 'pk\u007fkey'],
    ['an empty value', ''],
  ] as const) {
    it(`a key with ${label}: 401 invalid_credentials, verify not called`, async () => {
      const { verify, decision } = await run({}, conn({ 'x-api-key': key }));
      const r = responseOf(decision);
      expect(r.status).toBe(401);
      expect(codeOf(r)).toBe('invalid_credentials');
      expect(r.headers['www-authenticate']).toBe(CHALLENGE);
      expect(verify).not.toHaveBeenCalled();
    });
  }

  it('a key over 4096 characters: 431 oversized_authorization, verify not called', async () => {
    const { verify, decision } = await run({}, conn({ 'x-api-key': 'k'.repeat(4097) }));
    expect(responseOf(decision).status).toBe(431);
    expect(codeOf(responseOf(decision))).toBe('oversized_authorization');
    expect(verify).not.toHaveBeenCalled();
    // 4096 is still read (and verified: unknown here, so 401).
    const longest = await run({}, conn({ 'x-api-key': 'k'.repeat(4096) }));
    expect(responseOf(longest.decision).status).toBe(401);
    expect(longest.verify).toHaveBeenCalledTimes(1);
  });

  it('verify throws: 503 backend_unavailable', async () => {
    const backend = apiKeyAuth({
      verify: () => {
        throw new Error('db down');
      },
    });
    const r = responseOf(await createAuthenticator({ backend }).run(conn({ 'x-api-key': KEY })));
    expect(r.status).toBe(503);
    expect(codeOf(r)).toBe('backend_unavailable');
  });

  it('an async verify and scopes work', async () => {
    const backend = apiKeyAuth({ verify: async (k) => (k === KEY ? service : null), scopes: ['authenticated', 'billing'] });
    const d = await createAuthenticator({ backend }).run(conn({ 'x-api-key': KEY }));
    expect(d.type === 'continue' && d.auth.scopes).toEqual(['authenticated', 'billing']);
  });

  it('the Authorization header is never read as a key', async () => {
    const { verify, decision } = await run({}, conn({ authorization: `Bearer ${KEY}` }));
    expect(userOf(decision)).toBe(ANONYMOUS);
    expect(verify).not.toHaveBeenCalled();
  });
});

describe('apiKeyAuth: configuration', () => {
  for (const header of ['authorization', 'Authorization', 'cookie', 'Cookie', 'proxy-authorization', '', 'x api key', 'x-key:', 'x\r\nkey']) {
    it(`header ${JSON.stringify(header)} is refused at construction`, () => {
      configError(() => apiKeyAuth({ header, verify: () => null }));
    });
  }

  it('a header that is not a string is refused with ConfigurationError', () => {
    configError(() => apiKeyAuth({ header: 42 as never, verify: () => null }));
    configError(() => apiKeyAuth({ header: ['x-api-key'] as never, verify: () => null }));
  });

  it('verify is required', () => {
    configError(() => apiKeyAuth({} as never));
    configError(() => apiKeyAuth(undefined as never));
  });

  it('query must be a non-empty string', () => {
    configError(() => apiKeyAuth({ query: '', verify: () => null }));
    configError(() => apiKeyAuth({ query: 1 as never, verify: () => null }));
  });

  it('a challenge with CR/LF or non-Latin-1 text is refused', () => {
    configError(() => apiKeyAuth({ challenge: 'ApiKey\r\nSet-Cookie: x=y', verify: () => null }));
    configError(() => apiKeyAuth({ challenge: 'ApiKey realm="日本"', verify: () => null }));
  });

  it('scopes are checked', () => {
    configError(() => apiKeyAuth({ scopes: [''], verify: () => null }));
  });
});
