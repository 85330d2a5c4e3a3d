import { SimpleUser, sessionAuth } from '@portcullis/core';
import { generateSessionId } from '@portcullis/core/adapter';
import { expect } from 'vitest';
import type { Scenario } from '../../scenario.js';
import type { SessionSpec } from '../../spec.js';
import { CountingStore, cookie, sessionsOf, setCookies, type SessionStoreFactory } from './fixtures.js';

/**
 * Anonymous traffic writes nothing (SES-12, DOS-12): 1,000 anonymous GETs to
 * public and protected routes, with and without made-up cookies, make no store
 * write and set no cookie.
 */
export function anonymousWrites(stores: SessionStoreFactory): Scenario {
  let spec: SessionSpec & { store: CountingStore };
  return {
    id: `sessions-anonymous (${stores.name})`,
    title: 'SES-12 DOS-12 anonymous requests write nothing to the store',
    needs: ['sessions'],
    app: () => {
      spec = { ...sessionsOf(stores), store: new CountingStore(stores.create()) };
      return {
        backend: sessionAuth({ retrieveUser: () => new SimpleUser('never'), exclude: ['/', '/public'] }),
        mode: 'required',
        exclude: ['/', '/public'],
        sessions: spec,
        controls: { storeCalls: () => ({ gets: spec.store.gets, writes: spec.store.writes, destroys: spec.store.destroys }) },
        routes: [
          { method: 'GET', path: '/', handler: (view) => ({ text: view.user.isAuthenticated ? 'member' : 'Hello, you' }) },
          { method: 'GET', path: '/public', handler: () => ({ text: 'public' }) },
          { method: 'GET', path: '/private', handler: () => ({ text: 'private' }) },
        ],
      };
    },
    cases: [
      {
        name: 'DOS-12 1,000 anonymous GETs → 0 store writes, 0 reads, no Set-Cookie',
        async run(t) {
          const paths = ['/', '/public', '/private'];
          for (let i = 0; i < 1000; i += 50) {
            const batch = await Promise.all(Array.from({ length: 50 }, (_, j) => t.get(paths[(i + j) % 3] as string)));
            for (const res of batch) {
              expect([200, 401]).toContain(res.status);
              expect(setCookies(res)).toEqual([]);
            }
          }
          expect(await t.control('storeCalls')).toEqual({ gets: 0, writes: 0, destroys: 0 });
        },
      },
      {
        name: 'SES-12 anonymous GETs with made-up session cookies → 0 store writes, no Set-Cookie',
        async run(t) {
          const before = (await t.control<{ writes: number }>('storeCalls')).writes;
          for (const value of [generateSessionId(), 'forged', `s%3A${generateSessionId()}.sig`, `${generateSessionId()}.AAAA`]) {
            for (const path of ['/', '/private']) {
              const res = await t.get(path).set('Cookie', cookie(value));
              expect([200, 401]).toContain(res.status);
              expect(setCookies(res).filter((l) => !/^id=;/.test(l))).toEqual([]);
            }
          }
          expect((await t.control<{ writes: number }>('storeCalls')).writes).toBe(before);
        },
      },
    ],
  };
}
