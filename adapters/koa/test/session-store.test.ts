// The koa-session store adapter and the per-request side channel of sessions(), taken
// apart from koa-session (issue #17 item 4: they were rewritten for fewer microtasks and
// no WeakMap; these pin that nothing else changed).
import Koa from 'koa';
import { MemorySessionStore, SessionError, SimpleUser, sessionAuth, type SessionData, type SessionStore } from '@portcullis/core';
import { authentication } from '@portcullis/koa';
import { generateSessionId } from '@portcullis/core/adapter';
import { KoaSessionStore, login, sessions } from '@portcullis/koa/sessions';
import { describe, expect, it } from 'vitest';
import { requestSessions, type RequestSession } from '../src/request-sessions.js';
import { SAME_ORIGIN, cookieOf, serve } from '../../../test-support/session-bridges.js';

/** A store whose `get` answers what `answer` says (throws, rejects, null…), counting calls. */
function storeAnswering(answer: (id: string) => Promise<SessionData | undefined>): SessionStore & { calls: number } {
  const memory = new MemorySessionStore();
  const store = {
    calls: 0,
    get(id: string) {
      store.calls += 1;
      return answer(id);
    },
    set: memory.set.bind(memory),
    update: memory.update.bind(memory),
    destroy: memory.destroy.bind(memory),
  };
  return store;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('resolved');
    },
    (error: unknown) => error,
  );
}

describe('KoaSessionStore.get', () => {
  it('answers the stored data, a fresh object per read (the store’s JSON)', async () => {
    const memory = new MemorySessionStore();
    const id = generateSessionId();
    await memory.set(id, { 'portcullis:data': { user_id: 'alice', nested: { a: [1] } } }, 60_000);
    const store = new KoaSessionStore(memory);
    const first = await store.get(id);
    expect(first).toEqual({ 'portcullis:data': { user_id: 'alice', nested: { a: [1] } } });
    const second = await store.get(id);
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
  });

  it('answers undefined for an unknown id, and for null from the store', async () => {
    const store = new KoaSessionStore(new MemorySessionStore());
    await expect(store.get(generateSessionId())).resolves.toBeUndefined();
    const nulls = storeAnswering(async () => null as unknown as undefined);
    await expect(new KoaSessionStore(nulls).get(generateSessionId())).resolves.toBeUndefined();
    expect(nulls.calls).toBe(1);
  });

  it('never looks up a key that is not a session id (a promise of undefined, not a throw)', async () => {
    const store = storeAnswering(async () => ({}));
    const result = new KoaSessionStore(store).get('attacker-chosen');
    expect(result).toBeInstanceOf(Promise);
    await expect(result).resolves.toBeUndefined();
    expect(store.calls).toBe(0);
  });

  it('a store that rejects or throws at once: a rejected SessionError session_store_unavailable with the cause', async () => {
    const cause = new Error('store down');
    for (const answer of [async () => Promise.reject(cause), () => { throw cause; }] as const) {
      const store = new KoaSessionStore(storeAnswering(answer as (id: string) => Promise<SessionData | undefined>));
      const result = store.get(generateSessionId());
      expect(result).toBeInstanceOf(Promise);
      const error = await rejection(result);
      expect(error).toBeInstanceOf(SessionError);
      expect((error as SessionError).code).toBe('session_store_unavailable');
      expect((error as SessionError).cause).toBe(cause);
    }
  });

  it('a store answering at once costs koa-session’s await one microtask turn (the async chain was three)', async () => {
    const memory = new MemorySessionStore();
    const id = generateSessionId();
    await memory.set(id, { 'portcullis:data': { user_id: 'alice' } }, 60_000);
    const store = new KoaSessionStore(memory);
    const order: string[] = [];
    const read = (async () => {
      await store.get(id);
      order.push('read');
    })();
    // Each step of this chain is one microtask turn.
    await Promise.resolve().then(() => order.push('turn 1')).then(() => order.push('turn 2')).then(() => order.push('turn 3'));
    await read;
    expect(order.indexOf('read')).toBeLessThan(order.indexOf('turn 2'));
  });
});

describe('requestSessions: the side channel on ctx', () => {
  const session = { lost: false, lastWrite: undefined } as unknown as RequestSession;

  it('is read back from the same ctx only, and shows in none of its keys', () => {
    const app = new Koa();
    const ctx = app.createContext({ headers: {}, socket: {} } as never, { getHeader() {}, setHeader() {} } as never);
    const other = app.createContext({ headers: {}, socket: {} } as never, { getHeader() {}, setHeader() {} } as never);
    const keys = Reflect.ownKeys(ctx);
    expect(requestSessions.get(ctx)).toBeUndefined();
    requestSessions.set(ctx, session);
    expect(requestSessions.get(ctx)).toBe(session);
    expect(requestSessions.get(other)).toBeUndefined();
    expect(Reflect.ownKeys(ctx)).toEqual(keys);
    expect(JSON.stringify(ctx)).not.toContain('lastWrite');
    // A second set replaces (the upgrade opener and the middleware never share a ctx, but a set is a set).
    const again = { ...session } as RequestSession;
    requestSessions.set(ctx, again);
    expect(requestSessions.get(ctx)).toBe(again);
  });
});

describe('sessions(): what retrieveUser gets is its own', () => {
  it('a mutation through ctx.session never reaches it, and its own mutation never reaches the store', async () => {
    const store = new MemorySessionStore();
    const seen: { prefs: { theme: string } }[] = [];
    const app = new Koa();
    app.use(sessions(app, { secret: 'session-store-test-secret-0123456789abcdef', store, cookie: { secure: false } }));
    app.use(
      authentication({
        backend: sessionAuth({
          mode: 'optional',
          retrieveUser: (s: { user_id: string; prefs: { theme: string } }) => {
            seen.push(s);
            // A careless retrieveUser: its change must not be stored.
            (s.prefs as { theme: string }).theme = 'changed by retrieveUser';
            return new SimpleUser(s.user_id);
          },
        }),
      }),
    );
    app.use(async (ctx) => {
      if (ctx.method === 'POST') {
        await login(ctx, new SimpleUser('alice'), { user_id: 'alice', prefs: { theme: 'dark' } });
        ctx.body = 'in';
        return;
      }
      if (ctx.path === '/mutate') {
        // The app writes into the loaded record after authentication.
        const record = (ctx.session as unknown as Record<string, { prefs: { theme: string } }>)['portcullis:data']!;
        record.prefs.theme = 'changed through ctx.session';
      }
      ctx.body = 'ok';
    });
    const { agent } = await serve(app.listen(0, '127.0.0.1'));
    const cookie = cookieOf(await agent.post('/').set(SAME_ORIGIN));
    const id = decodeURIComponent(cookie.slice('id='.length));
    const stored = async () => ((await store.get(id))?.['portcullis:data'] as { prefs: { theme: string } }).prefs.theme;

    expect((await agent.get('/').set('Cookie', cookie)).text).toBe('ok');
    expect(seen[0]!.prefs.theme).toBe('changed by retrieveUser');
    expect(await stored()).toBe('dark');

    expect((await agent.get('/mutate').set('Cookie', cookie)).text).toBe('ok');
    expect(seen[1]!.prefs.theme).toBe('changed by retrieveUser');
    // The app's own write to its session object is stored, as koa-session does.
    expect(await stored()).toBe('changed through ctx.session');
  });
});

describe('sessions(): sessionAuth reads the loaded session without a promise (getNow, issue #17)', () => {
  it('a logged-in request is authenticated synchronously, with what get() resolves to; anonymous and login requests too', async () => {
    const store = new MemorySessionStore();
    const sync: boolean[] = [];
    const read: { now: unknown; got: unknown }[] = [];
    const inner = sessionAuth({ retrieveUser: (s: { user_id: string }) => new SimpleUser(s.user_id), mode: 'optional' });
    const app = new Koa();
    app.use(sessions(app, { secret: 'session-store-test-secret-0123456789abcdef', store, cookie: { secure: false } }));
    app.use(
      authentication({
        backend: {
          ...inner,
          authenticate: (connection) => {
            const port = connection.session!;
            const entry = { now: port.getNow?.(), got: undefined as unknown };
            read.push(entry);
            void port.get().then((got) => void (entry.got = got));
            const result = inner.authenticate(connection);
            sync.push(!(result instanceof Promise));
            return result;
          },
        },
      }),
    );
    app.use(async (ctx) => {
      if (ctx.method === 'POST') {
        await login(ctx, new SimpleUser('alice'), { user_id: 'alice' });
        ctx.body = 'in';
        return;
      }
      ctx.body = ctx.state.user.isAuthenticated ? ctx.state.user.displayName : 'anonymous';
    });
    const { agent } = await serve(app.listen(0, '127.0.0.1'));
    expect((await agent.get('/')).text).toBe('anonymous');
    const cookie = cookieOf(await agent.post('/').set(SAME_ORIGIN));
    expect((await agent.get('/').set('Cookie', cookie)).text).toBe('alice');
    expect(sync).toEqual([true, true, true]);
    expect(read[2]!.now).toEqual(read[2]!.got);
    expect(read[2]!.now).not.toBe(read[2]!.got); // each read is its own copy
    expect((read[2]!.now as { user_id: string }).user_id).toBe('alice');
    expect(read[0]!.now).toBeNull();
  });
});
