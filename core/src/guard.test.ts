import { describe, it, expect } from 'vitest';
import type { Connection } from './connection.js';
import { AuthCredentials, NO_CREDENTIALS } from './credentials.js';
import { ConfigurationError } from './errors.js';
import { createGuard, type GuardState } from './guard.js';
import type { ResponseDescription } from './response.js';
import { ANONYMOUS, SimpleUser } from './user.js';
import { conn as connection } from '../../test-support/connection.js';

interface Req {
  method?: string;
  target?: string;
  headers?: Record<string, string>;
  kind?: 'http' | 'websocket';
}

const conn = ({ method, target = '/admin', headers, kind }: Req = {}): Connection => connection({ method, target, headers, kind });

const CHALLENGE = 'Basic realm="api", charset="UTF-8"';
const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

const anonymous: GuardState = { user: ANONYMOUS, auth: NO_CREDENTIALS, challenges: [CHALLENGE] };
const userWith = (...scopes: string[]): GuardState => ({
  user: new SimpleUser('alice'),
  auth: new AuthCredentials(scopes),
  challenges: [CHALLENGE],
});

function denied(value: ResponseDescription | null): ResponseDescription {
  if (value === null) throw new Error('expected a denial');
  return value;
}

function configError(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).code).toBe('invalid_configuration');
    return;
  }
  throw new Error('expected a ConfigurationError');
}

describe('createGuard: scopes', () => {
  it('passes when every scope is held', () => {
    expect(createGuard('admin').check(conn(), userWith('admin'))).toBeNull();
    expect(createGuard(['a', 'b']).check(conn(), userWith('b', 'a', 'c'))).toBeNull();
  });

  it('a single scope string is a one-element list', () => {
    expect(createGuard('admin').scopes).toEqual(['admin']);
    expect(Object.isFrozen(createGuard(['a', 'b']).scopes)).toBe(true);
  });

  it('GRD-06 two required scopes and only one held is 403 (AND semantics)', () => {
    const guard = createGuard(['a', 'b']);
    expect(denied(guard.check(conn(), userWith('a'))).status).toBe(403);
    expect(denied(guard.check(conn(), userWith('b'))).status).toBe(403);
    expect(guard.check(conn(), userWith('a', 'b'))).toBeNull();
  });

  it('scopes are case-sensitive', () => {
    expect(denied(createGuard('admin').check(conn(), userWith('Admin'))).status).toBe(403);
  });

  it('default: an anonymous request is 403 (Starlette default) without a challenge', () => {
    const r = denied(createGuard('authenticated').check(conn(), anonymous));
    expect(r.status).toBe(403);
    expect(r.headers['www-authenticate']).toBeUndefined();
  });

  it('GRD-02 an authenticated Basic user lacking a scope gets a plain 403', () => {
    const r = denied(createGuard('orders:write').check(conn({ headers: { accept: 'application/json' } }), userWith('authenticated')));
    expect(r.status).toBe(403);
    expect(r.headers['www-authenticate']).toBeUndefined();
    expect(JSON.parse(r.body)).toEqual({ error: 'forbidden' });
  });
});

describe('createGuard: status', () => {
  it('GRD-03 status 404 answers notFound with no www-authenticate and no scope', () => {
    const guard = createGuard('admin', { status: 404 });
    for (const state of [anonymous, userWith('authenticated')]) {
      const r = denied(guard.check(conn(), state));
      expect(r.status).toBe(404);
      expect(r.notFound).toBe(true);
      expect(r.headers['www-authenticate']).toBeUndefined();
      expect(JSON.stringify(r)).not.toContain('admin');
    }
  });

  it('GRD-01 status 401 answers an anonymous request with the challenges', () => {
    const r = denied(createGuard('authenticated', { status: 401 }).check(conn(), anonymous));
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe(CHALLENGE);
  });

  it('GRD-02 status 401 answers an authenticated user lacking scopes with 403', () => {
    const r = denied(createGuard(['authenticated', 'admin'], { status: 401 }).check(conn(), userWith('authenticated')));
    expect(r.status).toBe(403);
    expect(r.headers['www-authenticate']).toBeUndefined();
  });

  it('another 4xx status is used as given', () => {
    const r = denied(createGuard('admin', { status: 418 }).check(conn(), anonymous));
    expect(r.status).toBe(418);
    expect(r.headers['www-authenticate']).toBeUndefined();
  });

  it('a websocket upgrade is refused with 403 even with status 404', () => {
    for (const status of [404, 401, 403] as const) {
      const r = denied(createGuard('admin', { status }).check(conn({ kind: 'websocket' }), anonymous));
      expect(r.status).toBe(403);
      expect(r.refuseUpgrade).toBe(true);
      expect(r.notFound).toBeUndefined();
    }
  });

  it('a websocket upgrade is refused with 403 even with a redirect', () => {
    const r = denied(createGuard('admin', { redirect: '/login' }).check(conn({ kind: 'websocket', headers: { accept: HTML } }), anonymous));
    expect(r.status).toBe(403);
    expect(r.refuseUpgrade).toBe(true);
    expect(r.headers.location).toBeUndefined();
  });

  it('a websocket upgrade with the scopes passes', () => {
    expect(createGuard('admin').check(conn({ kind: 'websocket' }), userWith('admin'))).toBeNull();
  });
});

describe('createGuard: redirect', () => {
  const guard = createGuard('authenticated', { redirect: '/login' });

  it('GRD-13 an anonymous browser GET is redirected with next, and no www-authenticate', () => {
    const r = denied(guard.check(conn({ target: '/admin?x=1', headers: { accept: HTML } }), anonymous));
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/login?next=%2Fadmin%3Fx%3D1');
    expect(r.headers['www-authenticate']).toBeUndefined();
    expect(r.headers['cache-control']).toBe('no-store');
  });

  it('GRD-13 an anonymous browser HEAD is redirected too', () => {
    const r = denied(guard.check(conn({ method: 'HEAD', target: '/admin?x=1', headers: { accept: 'text/html' } }), anonymous));
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/login?next=%2Fadmin%3Fx%3D1');
  });

  it('GRD-13 next without a query is the path', () => {
    expect(denied(guard.check(conn({ target: '/admin', headers: { accept: HTML } }), anonymous)).headers.location).toBe(
      '/login?next=%2Fadmin',
    );
  });

  it('RED-01 next is relative and never built from Host or X-Forwarded-Host', () => {
    const headers = { accept: HTML, host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' };
    const r = denied(guard.check(conn({ target: '/account?tab=1', headers }), anonymous));
    expect(r.headers.location).toBe('/login?next=%2Faccount%3Ftab%3D1');
    const absolute = denied(guard.check(conn({ target: 'http://evil.example/account?tab=1', headers }), anonymous));
    expect(absolute.headers.location).toBe('/login?next=%2Faccount%3Ftab%3D1');
  });

  it('RED-22 a JSON request gets the status, not a redirect', () => {
    const r = denied(guard.check(conn({ headers: { accept: 'application/json' } }), anonymous));
    expect(r.status).toBe(403);
    expect(r.headers.location).toBeUndefined();
  });

  it('RED-22 a JSON request to a 401 guard gets 401 with a challenge, not a redirect', () => {
    const g = createGuard('authenticated', { status: 401, redirect: '/login' });
    const r = denied(g.check(conn({ headers: { accept: 'application/json' } }), anonymous));
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe(CHALLENGE);
    expect(r.headers.location).toBeUndefined();
    expect(JSON.parse(r.body)).toEqual({ error: 'unauthorized' });
  });

  it('RED-22 a non-GET request gets the status, not a redirect', () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const r = denied(guard.check(conn({ method, headers: { accept: HTML } }), anonymous));
      expect(r.status).toBe(403);
      expect(r.headers.location).toBeUndefined();
    }
  });

  it('RED-22 a request without Accept: text/html gets the status', () => {
    for (const headers of [{}, { accept: '*/*' }] as Record<string, string>[]) {
      expect(denied(guard.check(conn({ headers }), anonymous)).status).toBe(403);
    }
  });

  it('an authenticated user lacking scopes is not redirected', () => {
    const g = createGuard(['authenticated', 'admin'], { redirect: '/login' });
    const r = denied(g.check(conn({ headers: { accept: HTML } }), userWith('authenticated')));
    expect(r.status).toBe(403);
    expect(r.headers.location).toBeUndefined();
  });

  it('RED-22 next is left out when the path is the login path', () => {
    const r = denied(guard.check(conn({ target: '/login?next=%2Fadmin', headers: { accept: HTML } }), anonymous));
    expect(r.headers.location).toBe('/login');
  });

  it('next is left out when the target is not a safe relative path', () => {
    for (const target of ['//evil.example/x', '/a/..//evil', '/a\\b']) {
      const r = denied(guard.check(conn({ target, headers: { accept: HTML } }), anonymous));
      expect(r.status).toBe(303);
      expect(r.headers.location).toBe('/login');
    }
  });

  it('a redirect with its own query appends next with &', () => {
    const g = createGuard('authenticated', { redirect: '/login?src=guard' });
    const r = denied(g.check(conn({ target: '/admin?x=1', headers: { accept: HTML } }), anonymous));
    expect(r.headers.location).toBe('/login?src=guard&next=%2Fadmin%3Fx%3D1');
    const self = denied(g.check(conn({ target: '/login', headers: { accept: HTML } }), anonymous));
    expect(self.headers.location).toBe('/login?src=guard');
  });
});

describe('createGuard: configuration errors', () => {
  it('status outside 4xx', () => {
    // Refused by the type too (see guard-status.test.ts); JavaScript callers get the startup error.
    for (const status of [302, 303, 500, 200, 399, 600, 401.5, Number.NaN]) configError(() => createGuard('a', { status: status as never }));
    configError(() => createGuard('a', { status: '404' as never }));
  });

  it('redirect that is not a same-origin relative path', () => {
    for (const redirect of ['//evil', '//evil.example/login', 'https://x', 'https://app.example/login', 'login', '/a\\b', '/login#x', '/a/../login', '/login\r\nx: y', '']) {
      configError(() => createGuard('a', { redirect }));
    }
    configError(() => createGuard('a', { redirect: 42 as never }));
  });

  it('empty or invalid scopes', () => {
    configError(() => createGuard([]));
    configError(() => createGuard(''));
    configError(() => createGuard(['a', '']));
    configError(() => createGuard([42] as never));
    configError(() => createGuard(undefined as never));
  });

  it('valid options construct', () => {
    expect(createGuard('a', { status: 404, redirect: '/login' }).scopes).toEqual(['a']);
    expect(createGuard('a', { status: 401 }).scopes).toEqual(['a']);
  });
});
