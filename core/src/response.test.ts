import { describe, it, expect } from 'vitest';
import { createConnection, type Connection } from './connection.js';
import { messageOf, type AuthenticationErrorCode } from './errors.js';
import * as table from './response.js';
import { conn as connection } from '../../test-support/connection.js';

const conn = (headers: Record<string, string> = {}, method = 'GET'): Connection => connection({ method, target: '/x', headers });

const CHALLENGES = ['Bearer realm="api"', 'Basic realm="api", charset="UTF-8"'];
const JSON_ACCEPT = { accept: 'application/json' };

const error = (code: AuthenticationErrorCode, c: Connection = conn()) => table.describe({ kind: 'error', code }, c, CHALLENGES);

describe('describe: authentication errors', () => {
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
    const r = table.describe({ kind: 'error', code: 'invalid_credentials' }, conn(), []);
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBeUndefined();
  });
});

describe('describe: decisions', () => {
  it('GRD-01 unauthenticated is 401 with the challenges', () => {
    const r = table.describe({ kind: 'unauthenticated' }, conn(), CHALLENGES);
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe(CHALLENGES.join(', '));
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.headers.vary).toBe('Accept');
  });

  it('CHN-02 both challenges are sent in one field for unauthenticated', () => {
    const header = table.describe({ kind: 'unauthenticated' }, conn(JSON_ACCEPT), CHALLENGES).headers['www-authenticate'];
    expect(header).toContain('Bearer realm="api"');
    expect(header).toContain('Basic realm="api", charset="UTF-8"');
  });

  it('forbidden is 403 without a challenge', () => {
    const r = table.describe({ kind: 'forbidden' }, conn(), CHALLENGES);
    expect(r.status).toBe(403);
    expect(r.headers['www-authenticate']).toBeUndefined();
    expect(r.headers['cache-control']).toBe('no-store');
  });

  it('GRD-03 not_found is an empty 404 marked notFound, no challenge', () => {
    expect(table.describe({ kind: 'not_found' }, conn(), CHALLENGES)).toEqual({ status: 404, headers: {}, body: '', notFound: true });
  });

  it('status 401 sends the challenges; 403 and 404 do not', () => {
    expect(table.describe({ kind: 'status', status: 401 }, conn(), CHALLENGES).headers['www-authenticate']).toBe(CHALLENGES.join(', '));
    const forbidden = table.describe({ kind: 'status', status: 403 }, conn(), CHALLENGES);
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers['www-authenticate']).toBeUndefined();
    const notFound = table.describe({ kind: 'status', status: 404 }, conn(), CHALLENGES);
    expect(notFound).toEqual({ status: 404, headers: {}, body: '', notFound: true });
  });

  it('another status gets its reason phrase and no challenge', () => {
    const r = table.describe({ kind: 'status', status: 418 }, conn(), CHALLENGES);
    expect(r.status).toBe(418);
    expect(r.body).toBe(table.reasonPhrase(418));
    expect(r.headers['www-authenticate']).toBeUndefined();
    expect(JSON.parse(table.describe({ kind: 'status', status: 418 }, conn(JSON_ACCEPT), CHALLENGES).body)).toEqual({ error: 'error' });
  });

  it('GRD-13 redirect is 303 with the location, no-store and no challenge', () => {
    const r = table.describe({ kind: 'redirect', location: '/login?next=%2Fadmin' }, conn(), CHALLENGES);
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/login?next=%2Fadmin');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.headers['www-authenticate']).toBeUndefined();
  });

  it('refuse_upgrade is 403 marked refuseUpgrade, no challenge', () => {
    const r = table.describe({ kind: 'refuse_upgrade' }, conn(), CHALLENGES);
    expect(r.status).toBe(403);
    expect(r.refuseUpgrade).toBe(true);
    expect(r.headers['www-authenticate']).toBeUndefined();
  });

  it('unknown statuses get the generic reason phrase', () => {
    expect(table.reasonPhrase(401)).toBe('Unauthorized');
    expect(table.reasonPhrase(499)).toBe('Error');
  });
});

describe('describe: content negotiation', () => {
  it('JSON only when Accept asks for application/json and not text/html', () => {
    const json = table.describe({ kind: 'unauthenticated' }, conn(JSON_ACCEPT), CHALLENGES);
    expect(json.headers['content-type']).toBe('application/json');
    expect(JSON.parse(json.body)).toEqual({ error: 'unauthorized' });
    expect(JSON.parse(table.describe({ kind: 'forbidden' }, conn({ accept: 'Application/JSON; q=1' }), []).body)).toEqual({ error: 'forbidden' });
  });

  for (const headers of [{}, { accept: '*/*' }, { accept: 'text/html' }, { accept: 'text/html, application/json' }, { accept: 'text/plain' }] as Record<string, string>[]) {
    it(`text body for Accept ${JSON.stringify(headers)}`, () => {
      const r = table.describe({ kind: 'unauthenticated' }, conn(headers), CHALLENGES);
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
      const r = table.describe(outcome, c, CHALLENGES);
      expect(r.body + JSON.stringify(r.headers)).not.toContain('c2VjcmV0');
    }
  });
});

describe('upgradeRefusal: one answer to a refused websocket upgrade', () => {
  const upgrade = (headers: Record<string, string> = {}) => createConnection({ kind: 'websocket', method: 'GET', target: '/ws', header: (n) => headers[n] });

  it('refuse_upgrade is 403 with no body and no headers', () => {
    expect(table.describe({ kind: 'refuse_upgrade' }, upgrade(), CHALLENGES)).toEqual({ status: 403, headers: {}, body: '', refuseUpgrade: true });
  });

  it('every core answer to an upgrade keeps its status and challenge, and loses its body and content headers', () => {
    expect(table.describe({ kind: 'unauthenticated' }, upgrade(), CHALLENGES)).toEqual({
      status: 401,
      headers: { 'cache-control': 'no-store', 'www-authenticate': CHALLENGES.join(', ') },
      body: '',
    });
    expect(table.describe({ kind: 'error', code: 'malformed_credentials' }, upgrade(JSON_ACCEPT), CHALLENGES)).toEqual({
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
    const r = table.describe({ kind: 'unauthenticated' }, conn(), CHALLENGES);
    expect(r.body).toBe('Unauthorized');
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
  });
});
