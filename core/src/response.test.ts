import { describe, it, expect } from 'vitest';
import { createConnection, type Connection } from './connection.js';
import { messageOf, type AuthenticationErrorCode } from './errors.js';
import * as table from './response.js';
import { conn as connection } from '../../test-support/connection.js';

const conn = (headers: Record<string, string> = {}, method = 'GET'): Connection => connection({ method, target: '/x', headers });

const CHALLENGES = ['Bearer realm="api"', 'Basic realm="api", charset="UTF-8"'];
const JSON_ACCEPT = { accept: 'application/json' };

const error = (code: AuthenticationErrorCode, c: Connection = conn()) => table.responseFor({ kind: 'error', code }, c, CHALLENGES);

describe('responseFor: authentication errors', () => {
  for (const code of ['malformed_credentials', 'duplicate_authorization'] as const) {
    it(`${code} is 400 with the fixed message as a text body and no challenge`, () => {
      const r = error(code);
      expect(r.status).toBe(400);
      expect(r.body).toBe(messageOf(code));
      expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(r.headers['www-authenticate']).toBeUndefined();
      expect(r.headers['cache-control']).toBe('no-store');
    });
  }

  it('invalid_credentials is 401 with one comma-joined www-authenticate', () => {
    const r = error('invalid_credentials');
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe('Bearer realm="api", Basic realm="api", charset="UTF-8"');
    expect(typeof r.headers['www-authenticate']).toBe('string');
    expect(r.headers['cache-control']).toBe('no-store');
  });

  it('BAS-16 oversized_authorization is 431 without a challenge', () => {
    const r = error('oversized_authorization');
    expect(r.status).toBe(431);
    expect(r.headers['www-authenticate']).toBeUndefined();
    expect(r.headers['cache-control']).toBe('no-store');
  });

  it('BAS-19 backend_unavailable is 503 without a challenge', () => {
    const r = error('backend_unavailable');
    expect(r.status).toBe(503);
    expect(r.headers['www-authenticate']).toBeUndefined();
    expect(r.headers['cache-control']).toBe('no-store');
  });

  it('CSRF-01 cross_site_request is 403 Forbidden without a challenge', () => {
    const r = error('cross_site_request');
    expect(r.status).toBe(403);
    expect(r.body).toBe('Forbidden');
    expect(r.headers['www-authenticate']).toBeUndefined();
    expect(error('cross_site_request', conn(JSON_ACCEPT)).body).toBe('{"error":"cross_site_request"}');
  });

  it('statusOfError follows the same table', () => {
    expect(table.statusOfError('malformed_credentials')).toBe(400);
    expect(table.statusOfError('duplicate_authorization')).toBe(400);
    expect(table.statusOfError('oversized_authorization')).toBe(431);
    expect(table.statusOfError('invalid_credentials')).toBe(401);
    expect(table.statusOfError('backend_unavailable')).toBe(503);
  });

  it('a JSON client gets {"error": code}, never the reason text', () => {
    for (const code of ['malformed_credentials', 'invalid_credentials', 'backend_unavailable'] as const) {
      const r = error(code, conn(JSON_ACCEPT));
      expect(r.headers['content-type']).toBe('application/json');
      expect(JSON.parse(r.body)).toEqual({ error: code });
    }
  });

  it('a 401 error without challenges sends no www-authenticate', () => {
    const r = table.responseFor({ kind: 'error', code: 'invalid_credentials' }, conn(), []);
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBeUndefined();
  });
});

describe('responseFor: decisions', () => {
  it('GRD-01 unauthenticated is 401 with the challenges', () => {
    const r = table.responseFor({ kind: 'unauthenticated' }, conn(), CHALLENGES);
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe(CHALLENGES.join(', '));
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.headers.vary).toBe('Accept');
  });

  it('CHN-02 both challenges are sent in one field for unauthenticated', () => {
    const header = table.responseFor({ kind: 'unauthenticated' }, conn(JSON_ACCEPT), CHALLENGES).headers['www-authenticate'];
    expect(header).toContain('Bearer realm="api"');
    expect(header).toContain('Basic realm="api", charset="UTF-8"');
  });

  it('forbidden is 403 without a challenge', () => {
    const r = table.responseFor({ kind: 'forbidden' }, conn(), CHALLENGES);
    expect(r.status).toBe(403);
    expect(r.headers['www-authenticate']).toBeUndefined();
    expect(r.headers['cache-control']).toBe('no-store');
  });

  it('GRD-03 a guard denying with 404 is an empty 404 marked notFound, no challenge', () => {
    const scope = () => 'Bearer realm="api", error="insufficient_scope"';
    for (const anonymous of [true, false]) {
      expect(table.responseFor({ kind: 'denied', status: 404, anonymous, insufficientScope: scope }, conn(), CHALLENGES))
        .toEqual({ status: 404, headers: {}, body: '', notFound: true });
    }
  });

  it('status 401 sends the challenges; 403 and 404 do not', () => {
    expect(table.responseFor({ kind: 'status', status: 401 }, conn(), CHALLENGES).headers['www-authenticate']).toBe(CHALLENGES.join(', '));
    const forbidden = table.responseFor({ kind: 'status', status: 403 }, conn(), CHALLENGES);
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers['www-authenticate']).toBeUndefined();
    const notFound = table.responseFor({ kind: 'status', status: 404 }, conn(), CHALLENGES);
    expect(notFound).toEqual({ status: 404, headers: {}, body: '', notFound: true });
  });

  it('another status gets its reason phrase and no challenge', () => {
    const r = table.responseFor({ kind: 'status', status: 418 }, conn(), CHALLENGES);
    expect(r.status).toBe(418);
    expect(r.body).toBe(table.reasonPhrase(418));
    expect(r.headers['www-authenticate']).toBeUndefined();
    expect(JSON.parse(table.responseFor({ kind: 'status', status: 418 }, conn(JSON_ACCEPT), CHALLENGES).body)).toEqual({ error: 'error' });
  });

  it('GRD-13 redirect is 303 with the location, no-store and no challenge', () => {
    const r = table.responseFor({ kind: 'redirect', location: '/login?next=%2Fadmin' }, conn(), CHALLENGES);
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/login?next=%2Fadmin');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.headers['www-authenticate']).toBeUndefined();
  });

  it('refuse_upgrade is 403 marked refuseUpgrade, no challenge', () => {
    const r = table.responseFor({ kind: 'refuse_upgrade' }, conn(), CHALLENGES);
    expect(r.status).toBe(403);
    expect(r.refuseUpgrade).toBe(true);
    expect(r.headers['www-authenticate']).toBeUndefined();
  });

  it('unknown statuses get the generic reason phrase', () => {
    expect(table.reasonPhrase(401)).toBe('Unauthorized');
    expect(table.reasonPhrase(499)).toBe('Error');
  });
});

describe('responseFor: content negotiation', () => {
  it('JSON only when Accept asks for application/json and not text/html', () => {
    const json = table.responseFor({ kind: 'unauthenticated' }, conn(JSON_ACCEPT), CHALLENGES);
    expect(json.headers['content-type']).toBe('application/json');
    expect(JSON.parse(json.body)).toEqual({ error: 'unauthorized' });
    expect(JSON.parse(table.responseFor({ kind: 'forbidden' }, conn({ accept: 'Application/JSON; q=1' }), []).body)).toEqual({ error: 'forbidden' });
  });

  for (const headers of [{}, { accept: '*/*' }, { accept: 'text/html' }, { accept: 'text/html, application/json' }, { accept: 'text/plain' }] as Record<string, string>[]) {
    it(`text body for Accept ${JSON.stringify(headers)}`, () => {
      const r = table.responseFor({ kind: 'unauthenticated' }, conn(headers), CHALLENGES);
      expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(r.body).toBe('Unauthorized');
    });
  }

  it('prefersJson and isBrowserNavigation', () => {
    expect(table.prefersJson(conn(JSON_ACCEPT))).toBe(true);
    expect(table.prefersJson(conn({ accept: 'application/json, text/html' }))).toBe(false);
    expect(table.prefersJson(conn())).toBe(false);
    expect(table.isBrowserNavigation(conn({ accept: 'text/html' }))).toBe(true);
    expect(table.isBrowserNavigation(conn({ accept: 'TEXT/HTML' }, 'HEAD'))).toBe(true);
    expect(table.isBrowserNavigation(conn({ accept: 'text/html' }, 'POST'))).toBe(false);
    expect(table.isBrowserNavigation(conn(JSON_ACCEPT))).toBe(false);
    expect(table.isBrowserNavigation(conn())).toBe(false);
  });

  it('LEAK-04 no table answer contains the request credentials', () => {
    const secret = 'Basic c2VjcmV0OnMzY3IzdA==';
    const c = conn({ authorization: secret, accept: 'application/json' });
    const outcomes: table.Outcome[] = [
      { kind: 'error', code: 'malformed_credentials' },
      { kind: 'error', code: 'invalid_credentials' },
      { kind: 'unauthenticated' },
      { kind: 'forbidden' },
    ];
    for (const outcome of outcomes) {
      const r = table.responseFor(outcome, c, CHALLENGES);
      expect(r.body + JSON.stringify(r.headers)).not.toContain('c2VjcmV0');
    }
  });
});

describe('upgradeRefusal: one answer to a refused websocket upgrade', () => {
  const upgrade = (headers: Record<string, string> = {}) => createConnection({ kind: 'websocket', method: 'GET', target: '/ws', header: (n) => headers[n] });

  it('refuse_upgrade is 403 with no body and no headers', () => {
    expect(table.responseFor({ kind: 'refuse_upgrade' }, upgrade(), CHALLENGES)).toEqual({ status: 403, headers: {}, body: '', refuseUpgrade: true });
  });

  it('every core answer to an upgrade keeps its status and challenge, and loses its body and content headers', () => {
    expect(table.responseFor({ kind: 'unauthenticated' }, upgrade(), CHALLENGES)).toEqual({
      status: 401,
      headers: { 'cache-control': 'no-store', 'www-authenticate': CHALLENGES.join(', ') },
      body: '',
    });
    expect(table.responseFor({ kind: 'error', code: 'malformed_credentials' }, upgrade(JSON_ACCEPT), CHALLENGES)).toEqual({
      status: 400,
      headers: { 'cache-control': 'no-store' },
      body: '',
    });
  });

  it('a not-found answer becomes a plain 404; refuseUpgrade wins as 403', () => {
    expect(table.upgradeRefusal({ status: 404, headers: {}, body: '', notFound: true })).toEqual({ status: 404, headers: {}, body: '' });
    expect(table.upgradeRefusal({ status: 401, headers: {}, body: 'x', refuseUpgrade: true })).toEqual({ status: 403, headers: {}, body: '', refuseUpgrade: true });
  });

  it('drops body, hop-by-hop and handshake headers whatever their case; keeps the rest', () => {
    const r = table.upgradeRefusal({
      status: 503,
      headers: {
        'Content-Type': 'text/plain',
        'content-length': '5',
        vary: 'Accept',
        Connection: 'keep-alive',
        upgrade: 'websocket',
        'sec-websocket-accept': 'x',
        'transfer-encoding': 'chunked',
        'retry-after': '5',
        'set-cookie': ['a=1', 'b=2'],
      },
      body: 'Service Unavailable',
    });
    expect(r).toEqual({ status: 503, headers: { 'retry-after': '5', 'set-cookie': ['a=1', 'b=2'] }, body: '' });
  });

  it('an HTTP request keeps its body and headers', () => {
    const r = table.responseFor({ kind: 'unauthenticated' }, conn(), CHALLENGES);
    expect(r.body).toBe('Unauthorized');
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
  });
});

describe('responseFor: guards and methods', () => {
  const scope = () => 'Bearer realm="api", error="insufficient_scope", scope="admin"';

  it('a guard denies with 403 by default, with the insufficient_scope challenge', () => {
    const r = table.responseFor({ kind: 'denied', anonymous: false, insufficientScope: scope }, conn(), CHALLENGES);
    expect(r.status).toBe(403);
    expect(r.headers['www-authenticate']).toBe(scope());
  });

  it('a guard with status 401 answers 401 with the challenges when anonymous, 403 when signed in', () => {
    const anonymous = table.responseFor({ kind: 'denied', status: 401, anonymous: true, insufficientScope: scope }, conn(), CHALLENGES);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe(CHALLENGES.join(', '));
    const signedIn = table.responseFor({ kind: 'denied', status: 401, anonymous: false, insufficientScope: scope }, conn(), CHALLENGES);
    expect(signedIn.status).toBe(403);
    expect(signedIn.headers['www-authenticate']).toBe(scope());
  });

  it('method_not_allowed is 405 with Allow, negotiated like every answer', () => {
    const r = table.responseFor({ kind: 'method_not_allowed', allow: 'POST' }, conn(), CHALLENGES);
    expect(r).toEqual({
      status: 405,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', vary: 'Accept', allow: 'POST' },
      body: 'Method Not Allowed',
    });
    expect(JSON.parse(table.responseFor({ kind: 'method_not_allowed', allow: 'POST' }, conn(JSON_ACCEPT), []).body)).toEqual({ error: 'error' });
  });

  it('describe is the deprecated name of responseFor', () => {
    expect(table.describe).toBe(table.responseFor);
  });
});

describe('fixedResponse: answers that depend on nothing in the request', () => {
  const JSON_NO_STORE = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', pragma: 'no-cache' };

  it('OAU-02 OAU-03 token endpoint errors are RFC 6749 JSON bodies with no-store', () => {
    for (const [error, status] of [
      ['invalid_request', 400], ['invalid_scope', 400], ['invalid_grant', 400], ['unsupported_grant_type', 400],
      ['unsupported_token_type', 400], ['too_many_requests', 429], ['temporarily_unavailable', 503],
    ] as const) {
      expect(table.fixedResponse({ kind: 'oauth2_error', error })).toEqual({ status, headers: JSON_NO_STORE, body: JSON.stringify({ error }) });
    }
  });

  it('OAU-07 a throttled token request carries Retry-After in whole seconds', () => {
    const r = table.fixedResponse({ kind: 'oauth2_error', error: 'too_many_requests', retryAfter: 1.2 });
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe('2');
  });

  it('OAU-04 another method than POST on the token endpoint is 405 invalid_request with Allow: POST', () => {
    expect(table.fixedResponse({ kind: 'oauth2_method_not_allowed' })).toEqual({
      status: 405, headers: { ...JSON_NO_STORE, allow: 'POST' }, body: '{"error":"invalid_request"}',
    });
  });

  it('LEAK-09 token, login and logout answers are not cached; login defaults to 201', () => {
    expect(table.fixedResponse({ kind: 'token', body: { a: 1 } })).toEqual({ status: 200, headers: JSON_NO_STORE, body: '{"a":1}' });
    expect(table.fixedResponse({ kind: 'login', body: {} }).status).toBe(201);
    const login = table.fixedResponse({ kind: 'login', body: {}, status: 200, headers: { 'set-cookie': 'a=1' } });
    expect(login).toEqual({ status: 200, headers: { ...JSON_NO_STORE, 'set-cookie': 'a=1' }, body: '{}' });
    expect(table.fixedResponse({ kind: 'logged_out' })).toEqual({ status: 204, headers: { 'cache-control': 'no-store', pragma: 'no-cache' }, body: '' });
  });

  it("adapters' fallbacks and the misconfigured-session answer", () => {
    const text = 'text/plain; charset=utf-8';
    expect(table.fixedResponse({ kind: 'not_found' })).toEqual({ status: 404, headers: { 'content-type': text }, body: 'Not Found' });
    expect(table.fixedResponse({ kind: 'unsendable' })).toEqual({ status: 500, headers: { 'content-type': text }, body: 'Internal Server Error' });
    expect(table.fixedResponse({ kind: 'session_not_configured' })).toEqual({
      status: 500, headers: { 'content-type': text, 'cache-control': 'no-store' }, body: 'Internal Server Error',
    });
    expect(table.fixedResponse({ kind: 'upgrade_failed' })).toEqual({ status: 503, headers: {}, body: 'Service Unavailable' });
  });

  it('answers are frozen', () => {
    const r = table.fixedResponse({ kind: 'token', body: {} });
    expect(Object.isFrozen(r) && Object.isFrozen(r.headers)).toBe(true);
  });
});
