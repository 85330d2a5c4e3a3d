import { expect } from 'vitest';
import { basic, basicBackend, whoami } from '../fixtures.js';
import type { Scenario } from '../scenario.js';
import { EXTRA_ARGUMENT } from '../spec.js';

export const classStyle: Scenario = {
  id: 'class-style',
  title: 'a guard on a class-style controller method behaves like a route guard',
  app: () => ({
    backend: basicBackend(),
    routes: [
      { method: 'GET', path: '/fn', requires: { scopes: ['authenticated', 'admin'] }, handler: whoami },
      { method: 'GET', path: '/class', style: 'class', requires: { scopes: ['authenticated', 'admin'] }, handler: whoami },
      {
        method: 'GET',
        path: '/class-hidden',
        style: 'class',
        requires: { scopes: 'admin', options: { status: 404 } },
        handler: whoami,
      },
    ],
  }),
  cases: [
    {
      name: 'anonymous: the method guard answers exactly as the route guard',
      async run(t) {
        const fn = await t.get('/fn');
        const cls = await t.get('/class');
        expect(cls.status).toBe(403);
        expect(cls.status).toBe(fn.status);
        expect(cls.text).toBe(fn.text);
        expect(cls.headers['content-type']).toBe(fn.headers['content-type']);
      },
    },
    {
      name: 'with the scopes the method runs',
      async run(t) {
        const res = await t.get('/class').set('Authorization', basic('root', 'rootpwd'));
        expect(res.status).toBe(200);
        expect(res.body.user).toBe('root');
      },
    },

    {
      name: 'status 404 on a method looks like a real 404',
      async run(t) {
        const res = await t.get('/class-hidden');
        const missing = await t.get('/nothing-here');
        expect(res.status).toBe(404);
        expect(res.headers['content-type']).toBe(missing.headers['content-type']);
      },
    },
  ],
};

export const classStyleArguments: Scenario = {
  id: 'class-style-arguments',
  title: '@Requires forwards every argument to the method, not only the framework\'s own',
  needs: ['decorators'],
  app: () => ({
    backend: basicBackend(),
    routes: [{ method: 'GET', path: '/class', style: 'class', requires: { scopes: ['authenticated', 'admin'] }, handler: whoami }],
  }),
  cases: [
    {
      name: 'the argument a decorator stacked above @Requires adds reaches the method',
      async run(t) {
        const res = await t.get('/class').set('Authorization', basic('root', 'rootpwd'));
        expect(res.status).toBe(200);
        expect(res.body.user).toBe('root');
        expect(res.headers['x-extra-argument']).toBe(EXTRA_ARGUMENT);
      },
    },
    {
      name: 'a refused call never reaches the method',
      async run(t) {
        const res = await t.get('/class').set('Authorization', basic('alice', 'alicepwd'));
        expect(res.status).toBe(403);
        expect(res.headers['x-extra-argument']).toBeUndefined();
      },
    },
  ],
};
