// The re-check of an accepted websocket: verdicts (4401, 4403, 1013) and the timer's life.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { conn } from '../../test-support/connection.js';
import { createAuthenticator } from './authenticator.js';
import { AuthCredentials } from './credentials.js';
import { ConfigurationError } from './errors.js';
import { createGuard } from './guard.js';
import { tokenAuth } from './token.js';
import { SimpleUser } from './user.js';
import { webSocketClose } from './response.js';
import { recheckInterval, recheckSocket, requiredRecheckInterval, watchRequestSocket, watchSocket } from './ws-recheck.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('recheckSocket', () => {
  const valid = new Map([['tok-alice-0123456789', 'alice'], ['tok-bob-0123456789', 'bob']]);
  const admins = new Set(['alice']);
  const authenticator = createAuthenticator({
    backend: tokenAuth({ verify: (t) => (valid.has(t) ? new SimpleUser(valid.get(t)!) : null), scopes: (u) => (admins.has(u.identity) ? ['authenticated', 'admin'] : ['authenticated']) }),
  });
  const before = { user: new SimpleUser('alice'), auth: new AuthCredentials(['authenticated', 'admin'], { via: 'token' }) };
  const socket = (token: string) => conn({ kind: 'websocket', target: '/ws', authorization: [`Token ${token}`] });
  const guard = createGuard('admin');

  it('keeps a socket whose credentials and guard still hold; 4401 once revoked; 4403 once the guard denies', async () => {
    expect(await recheckSocket(authenticator, guard, before, socket('tok-alice-0123456789'))).toBeNull();
    admins.delete('alice');
    expect(await recheckSocket(authenticator, guard, before, socket('tok-alice-0123456789'))).toEqual({ code: 4403, reason: 'forbidden' });
    valid.delete('tok-alice-0123456789');
    expect(await recheckSocket(authenticator, guard, before, socket('tok-alice-0123456789'))).toEqual({ code: 4401, reason: 'unauthorized' });
  });

  it('another user than the upgrade\'s, or anonymous, is 4401; a failing backend 1013', async () => {
    expect(await recheckSocket(authenticator, undefined, before, socket('tok-bob-0123456789'))).toEqual(webSocketClose('unauthenticated'));
    expect(await recheckSocket(authenticator, undefined, before, conn({ kind: 'websocket' }))).toEqual(webSocketClose('unauthenticated'));
    const broken = createAuthenticator({ backend: tokenAuth({ verify: () => Promise.reject(new Error('db down')) }) });
    expect(await recheckSocket(broken, undefined, before, socket('tok-bob-0123456789'))).toEqual({ code: 1013, reason: 'try again later' });
  });
});

describe('watchSocket', () => {
  it('checks every interval, closes once with the verdict, and leaves no timer', async () => {
    vi.useFakeTimers();
    let verdict: ReturnType<typeof webSocketClose> | null = null;
    const check = vi.fn(() => verdict);
    const close = vi.fn();
    const watch = watchSocket({ interval: 200, check, close });
    await vi.advanceTimersByTimeAsync(650);
    expect(check).toHaveBeenCalledTimes(3);
    verdict = webSocketClose('unauthenticated');
    await vi.advanceTimersByTimeAsync(200);
    expect(close).toHaveBeenCalledExactlyOnceWith({ code: 4401, reason: 'unauthorized' });
    expect(watch.active).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stop() on close clears the timer: a closed socket leaves none', () => {
    vi.useFakeTimers();
    const watch = watchSocket({ interval: 200, check: () => null, close: () => undefined });
    expect(vi.getTimerCount()).toBe(1);
    watch.stop();
    watch.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a check that throws or rejects closes with 1013; a slow check never overlaps the next', async () => {
    vi.useFakeTimers();
    const close = vi.fn();
    watchSocket({ interval: 100, check: () => { throw new Error('x'); }, close });
    await vi.advanceTimersByTimeAsync(100);
    expect(close).toHaveBeenCalledWith({ code: 1013, reason: 'try again later' });
    let running = 0;
    let most = 0;
    const slow = vi.fn(() => { running++; most = Math.max(most, running); return new Promise<null>((r) => setTimeout(() => { running--; r(null); }, 350)); });
    const watch = watchSocket({ interval: 100, check: slow, close: () => undefined });
    await vi.advanceTimersByTimeAsync(2000);
    watch.stop();
    expect(most).toBe(1);
  });

  it('a check that never settles closes with 1013 after one interval, and leaves no timer', async () => {
    vi.useFakeTimers();
    const close = vi.fn();
    const watch = watchSocket({ interval: 100, check: () => new Promise<null>(() => undefined), close });
    await vi.advanceTimersByTimeAsync(150);
    expect(close).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(100);
    expect(close).toHaveBeenCalledExactlyOnceWith({ code: 1013, reason: 'try again later' });
    expect(watch.active).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stop() while a check is pending clears its deadline too', async () => {
    vi.useFakeTimers();
    const close = vi.fn();
    const watch = watchSocket({ interval: 100, check: () => new Promise<null>(() => undefined), close });
    await vi.advanceTimersByTimeAsync(150);
    watch.stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(500);
    expect(close).not.toHaveBeenCalled();
  });

  it('recheck options are checked at startup', () => {
    expect(recheckInterval(undefined, 'x')).toBeUndefined();
    expect(recheckInterval({ interval: 200 }, 'x')).toBe(200);
    expect(() => requiredRecheckInterval(undefined, 'x')).toThrow(ConfigurationError);
    expect(requiredRecheckInterval({ interval: 100 }, 'x')).toBe(100);
    for (const bad of [{}, { interval: 50 }, { interval: 1.5 }, { interval: '200' }, null, 200]) expect(() => recheckInterval(bad, 'x')).toThrow(ConfigurationError);
  });
});

describe('watchRequestSocket', () => {
  it('re-authenticates the upgrade (its headers read at once, its peer, a session opened afresh for its cookies) and closes with 4401 once revoked', async () => {
    vi.useFakeTimers();
    const valid = new Set(['tok-alice-0123456789']);
    const seen: { token: string; peer: string | undefined }[] = [];
    const authenticator = createAuthenticator({
      backend: tokenAuth({ verify: (token, connection) => (seen.push({ token, peer: connection.peerAddress }), valid.has(token) ? new SimpleUser('alice') : null) }),
    });
    const request = new Request('http://app.test/ws?room=1', { headers: { authorization: 'Token tok-alice-0123456789', cookie: 'sid=abc' } });
    const upgrade = conn({ target: '/ws?room=1', headers: { authorization: 'Token tok-alice-0123456789', cookie: 'sid=abc' }, peerAddress: '203.0.113.9' });
    const cookies: ReadonlyMap<string, string>[] = [];
    const watch = watchRequestSocket(request, {
      authenticator,
      guard: createGuard('authenticated'),
      principal: { user: new SimpleUser('alice'), auth: new AuthCredentials(['authenticated']) },
      upgrade,
      session: (c) => (cookies.push(c), undefined),
      recheck: { interval: 200 },
      who: 'watchX',
    });
    request.headers.set('cookie', 'sid=changed-after-upgrade');
    const ws = { close: vi.fn() };
    watch.open(ws);
    await vi.advanceTimersByTimeAsync(200);
    expect(seen).toEqual([{ token: 'tok-alice-0123456789', peer: '203.0.113.9' }]);
    expect(cookies.map((c) => c.get('sid'))).toEqual(['abc']);
    expect(ws.close).not.toHaveBeenCalled();
    valid.clear();
    await vi.advanceTimersByTimeAsync(200);
    expect(ws.close).toHaveBeenCalledExactlyOnceWith(4401, 'unauthorized');
    watch.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('close() stops the checks; a missing or bad recheck throws naming the caller', () => {
    vi.useFakeTimers();
    const authenticator = createAuthenticator({ backend: tokenAuth({ verify: () => null }) });
    const options = { authenticator, guard: undefined, principal: { user: new SimpleUser('a'), auth: new AuthCredentials([]) }, upgrade: conn(), session: undefined, who: 'watchX' };
    const watch = watchRequestSocket(new Request('http://app.test/ws'), { ...options, recheck: { interval: 200 } });
    watch.open({ close: () => undefined });
    watch.open({ close: () => undefined });
    expect(vi.getTimerCount()).toBe(1);
    watch.close();
    expect(vi.getTimerCount()).toBe(0);
    expect(() => watchRequestSocket(new Request('http://app.test/ws'), { ...options, recheck: undefined as never })).toThrow(/watchX/);
  });
});
