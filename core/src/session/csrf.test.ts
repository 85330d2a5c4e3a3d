import { describe, expect, it } from 'vitest';
import { createConnection, type Connection } from '../connection.js';
import { SimpleUser } from '../user.js';
import { sessionConfig } from './config.js';
import { csrfToken, formField, isUrlencoded, verifyCsrfToken } from './csrf.js';
import { sessionGate, sessionGateNow, sessionGatePasses } from './gate.js';
import { login } from './state.js';
import { webSessions } from './web-session.js';

const SECRET = 'unit-test-secret-0123456789abcdef-0123';

function request(engine: ReturnType<typeof webSessions>, method: string, headers: Record<string, string>, cookie?: string, path = '/transfer') {
  const handle = engine.open({ cookies: new Map(cookie === undefined ? [] : [['id', cookie]]), secure: false });
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const connection: Connection = createConnection({
    method,
    target: path,
    header: (name) => lower.get(name),
    authorization: lower.has('authorization') ? [lower.get('authorization') as string] : [],
    session: handle.port,
  });
  return { handle, connection };
}

async function loggedIn(engine: ReturnType<typeof webSessions>): Promise<string> {
  const { handle, connection } = request(engine, 'POST', { 'sec-fetch-site': 'same-origin' });
  await login(connection, new SimpleUser('alice'));
  return (handle.setCookies()[0] as string).split(';')[0]?.slice(3) as string;
}

describe('CSRF tokens', () => {
  const config = sessionConfig({ secret: SECRET, cookie: { secure: false } });

  it('CSRF-10 a token verifies only for the session it was minted for', async () => {
    const engine = webSessions({ secret: SECRET, cookie: { secure: false } });
    const alice = await loggedIn(engine);
    const bob = await loggedIn(engine);
    const a = request(engine, 'GET', {}, alice);
    const token = await csrfToken(a.connection);
    expect(await verifyCsrfToken(engine.config, a.handle.port.id() as string, token)).toBe(true);
    const b = request(engine, 'GET', {}, bob);
    await b.handle.port.get();
    expect(await verifyCsrfToken(engine.config, b.handle.port.id() as string, token)).toBe(false);
    expect(await verifyCsrfToken(engine.config, '', token)).toBe(false);
  });

  it('refuses malformed, tampered and oversized tokens', async () => {
    for (const bad of ['', '.', 'abc', 'a.b', `${'A'.repeat(22)}.${'A'.repeat(43)}`, 'x'.repeat(500), `${'A'.repeat(22)}.${'A'.repeat(42)}=`]) {
      expect(await verifyCsrfToken(config, 'sid', bad)).toBe(false);
    }
  });

  it('a token signed with an older secret still verifies after rotation; an unknown secret does not', async () => {
    const oldEngine = webSessions({ secret: SECRET, cookie: { secure: false } });
    const { connection } = request(oldEngine, 'GET', {});
    const token = await csrfToken(connection);
    const rotated = sessionConfig({ secret: ['new-secret-0123456789abcdef-0123456789', SECRET], cookie: { secure: false } });
    expect(await verifyCsrfToken(rotated, '', token)).toBe(true);
    const other = sessionConfig({ secret: 'other-secret-0123456789abcdef-01234567', cookie: { secure: false } });
    expect(await verifyCsrfToken(other, '', token)).toBe(false);
  });

  it('formField reads urlencoded bodies whatever the case and parameters of the media type', () => {
    expect(formField('application/x-www-form-urlencoded', 'a=1&_csrf=t', '_csrf')).toBe('t');
    expect(formField('APPLICATION/X-WWW-FORM-URLENCODED; charset=UTF-8', '_csrf=t', '_csrf')).toBe('t');
    expect(formField('text/plain', '_csrf=t', '_csrf')).toBeUndefined();
    expect(formField(undefined, '_csrf=t', '_csrf')).toBeUndefined();
    expect(formField('application/json', { _csrf: 't' }, '_csrf')).toBe('t');
    expect(formField('application/json', { _csrf: 1 }, '_csrf')).toBeUndefined();
    expect(isUrlencoded(' Application/x-www-form-urlencoded ;x=y')).toBe(true);
    expect(isUrlencoded('application/x-www-form-urlencodedx')).toBe(false);
  });
});

describe('sessionGate', () => {
  const engine = webSessions({ secret: SECRET, cookie: { secure: false } });
  const host = { host: 'app.example' };

  it('CSRF-12 safe methods and OPTIONS pass', async () => {
    const cookie = await loggedIn(engine);
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      expect(await sessionGate(request(engine, method, { ...host, origin: 'https://evil.example' }, cookie).connection)).toBeNull();
    }
  });

  it('the decision table', async () => {
    const cookie = await loggedIn(engine);
    const cases: [string, Record<string, string>, boolean, number | null][] = [
      ['same-origin fetch metadata', { 'sec-fetch-site': 'same-origin' }, true, null],
      ['own Origin', { origin: 'http://app.example' }, true, null],
      ['own Origin, other scheme', { origin: 'https://app.example' }, true, null],
      ['CSRF-01 cross-site', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }, true, 403],
      ['CSRF-01 foreign Origin only', { origin: 'https://evil.example' }, true, 403],
      ['Origin null', { origin: 'null' }, true, 403],
      ['same-origin metadata with a foreign Origin', { 'sec-fetch-site': 'same-origin', origin: 'https://evil.example' }, true, 403],
      ['CSRF-05 same-site', { 'sec-fetch-site': 'same-site' }, true, 403],
      ['an unknown Sec-Fetch-Site value', { 'sec-fetch-site': 'weird' }, true, 403],
      ['CSRF-06 neither header with the cookie', {}, true, 403],
      ['neither header, no cookie: no ambient credential', {}, false, null],
      ['CSRF-08 cross-site without a cookie (login CSRF)', { 'sec-fetch-site': 'cross-site' }, false, 403],
      ['CSRF-07 Authorization without the cookie, cross-site', { authorization: 'Bearer x', 'sec-fetch-site': 'cross-site' }, false, null],
      ['Authorization with the cookie, cross-site', { authorization: 'Bearer x', 'sec-fetch-site': 'cross-site' }, true, 403],
    ];
    for (const [label, headers, withCookie, status] of cases) {
      const answer = await sessionGate(request(engine, 'POST', { ...host, ...headers }, withCookie ? cookie : undefined).connection);
      expect(answer?.status ?? null, label).toBe(status);
    }
  });

  it('CSRF-06 a valid token in the header or the form field lets a header-less request through', async () => {
    const cookie = await loggedIn(engine);
    const token = await csrfToken(request(engine, 'GET', host, cookie).connection);
    expect(await sessionGate(request(engine, 'POST', { ...host, 'x-csrf-token': token }, cookie).connection)).toBeNull();
    expect(await sessionGate(request(engine, 'POST', host, cookie).connection, () => token)).toBeNull();
    expect((await sessionGate(request(engine, 'POST', host, cookie).connection, () => 'forged'))?.status).toBe(403);
  });

  it('configured origins and allowSameSite relax the table', async () => {
    const relaxed = webSessions({ secret: SECRET, cookie: { secure: false }, csrf: { origins: ['https://partner.example'], allowSameSite: true } });
    const cookie = await loggedIn(relaxed);
    const through = async (headers: Record<string, string>) => sessionGate(request(relaxed, 'POST', { ...host, ...headers }, cookie).connection);
    expect(await through({ origin: 'https://partner.example', 'sec-fetch-site': 'cross-site' })).toBeNull();
    expect(await through({ 'sec-fetch-site': 'same-site' })).toBeNull();
    expect((await through({ origin: 'https://partner.example.evil.example', 'sec-fetch-site': 'cross-site' }))?.status).toBe(403);
  });

  it('CSRF-12 sessionGateNow decides what needs no CSRF check, as sessionGate does, and leaves unsafe methods to it', async () => {
    const cookie = await loggedIn(engine);
    const evil = { ...host, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'TRACE']) {
      const connection = request(engine, method, evil, cookie).connection;
      expect(sessionGateNow(connection), method).toBeNull();
      expect(await sessionGate(connection), method).toBeNull();
    }
    for (const [method, path] of [['GET', '/logout'], ['HEAD', '/LOGOUT/'], ['PUT', '/logout']] as const) {
      const connection = request(engine, method, evil, cookie, path).connection;
      expect(sessionGateNow(connection)?.status, `${method} ${path}`).toBe(405);
      expect((await sessionGate(connection))?.status, `${method} ${path}`).toBe(405);
    }
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const connection = request(engine, method, evil, cookie).connection;
      expect(sessionGateNow(connection), method).toBeUndefined(); // the CSRF check decides
      expect((await sessionGate(connection))?.status, method).toBe(403);
    }
    const off = webSessions({ secret: SECRET, cookie: { secure: false }, csrf: false });
    expect(sessionGateNow(request(off, 'POST', evil, cookie).connection)).toBeNull();
  });

  it('CSRF-09 CSRF-12 sessionGatePasses never lets through what sessionGate refuses (differential, generated requests)', async () => {
    const engines = [undefined, '/logout', '/LogOut/', '/', '/a/logout', '/ΣΣ'].map((logoutPath) =>
      webSessions({ secret: SECRET, cookie: { secure: false }, ...(logoutPath === undefined ? {} : { logoutPath }) }),
    );
    engines.push(webSessions({ secret: SECRET, cookie: { secure: false }, logoutPath: false }));
    const methods = ['GET', 'get', 'HEAD', 'OPTIONS', 'TRACE', 'POST', 'PUT', 'DELETE', 'PATCH', 'FOO'];
    const targets = [
      '/', '/logout', '/LOGOUT', '/logout/', '/logout//', '/logout?x=1', '/logout#f', '/x/logout', '/logoutx', '/log%6Fut', '/a/logout/',
      'http://h/logout', 'http://h', 'http://h?logout', '*', 'logout', '/ΣΣ', '/σς', '/?/logout', '/#/logout', '/', '/me',
    ];
    let passed = 0;
    for (const engine of engines) {
      const config = engine.config;
      for (const method of methods) {
        for (const target of targets) {
          if (!sessionGatePasses(config, method, target)) continue;
          passed++;
          const answer = await sessionGate(request(engine, method, { ...host, origin: 'https://evil.example' }, undefined, target).connection);
          expect(answer, `${method} ${target} (logoutPath ${String(config.logoutPath)})`).toBeNull();
        }
      }
    }
    expect(passed).toBeGreaterThan(100); // it does let the common requests through
    const config = engines[1]!.config;
    expect(sessionGatePasses(config, 'GET', '/')).toBe(true);
    expect(sessionGatePasses(config, 'GET', '/LOGOUT/')).toBe(false);
    expect(sessionGatePasses(config, 'POST', '/')).toBe(false);
    // Unicode look-alikes of safe methods are not safe (toUpperCase would map them to GET/HEAD/OPTIONS).
    expect(sessionGatePasses(config, 'opt\u0131ons', '/')).toBe(false);
    expect(sessionGatePasses(config, 'h\u0131ead', '/')).toBe(false);
    expect(sessionGatePasses(config, 'get', '/')).toBe(true);
  });

  it('CSRF-09 anything but POST or OPTIONS to the logout path → 405 with Allow: POST', async () => {
    for (const [method, path] of [['GET', '/logout'], ['HEAD', '/logout'], ['GET', '/LOGOUT'], ['GET', '/logout/'], ['PUT', '/logout']] as const) {
      const answer = await sessionGate(request(engine, method, { ...host, 'sec-fetch-site': 'same-origin' }, undefined, path).connection);
      expect(answer?.status, `${method} ${path}`).toBe(405);
      expect(answer?.headers.allow).toBe('POST');
    }
    expect(await sessionGate(request(engine, 'POST', { ...host, 'sec-fetch-site': 'same-origin' }, undefined, '/logout').connection)).toBeNull();
    const off = webSessions({ secret: SECRET, cookie: { secure: false }, logoutPath: false, csrf: false });
    expect(await sessionGate(request(off, 'GET', host, undefined, '/logout').connection)).toBeNull();
  });
});
