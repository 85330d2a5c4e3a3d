import { safeNext } from '@portcullis/core';
import { expect } from 'vitest';
import { basic, basicBackend } from '../fixtures.js';
import type { Scenario } from '../scenario.js';

const ALICE = basic('alice', 'alicepwd');

/** [id, query, expected Location] from the RED rows of the catalogue. */
const TARGETS: readonly (readonly [string, string, string])[] = [
  ['RED-02', 'next=%2Fdashboard%3Fa%3D1', '/dashboard?a=1'],
  ['RED-03', 'next=https%3A%2F%2Fevil.example', '/'],
  ['RED-04', 'next=%2F%2Fevil.example', '/'],
  ['RED-06', 'next=%5C%2Fevil.example', '/'],
  ['RED-06', 'next=%5C%5Cevil.example', '/'],
  ['RED-08', 'next=%09%2F%2Fevil.example', '/'],
  ['RED-08', 'next=%20%2F%2Fevil.example', '/'],
  ['RED-09', 'next=%2F%2F%2Fevil.example', '/'],
  ['RED-11', 'next=https%3Aevil.example', '/'],
  ['RED-12', 'next=javascript%3Aalert(1)', '/'],
  ['RED-12', 'next=java%09script%3Aalert(1)', '/'],
  ['RED-12', 'next=data%3Atext%2Fhtml%2C%3Cscript%3E', '/'],
  ['RED-13', 'next=%2F%2Fapp.example%40evil.example', '/'],
  ['RED-13', 'next=https%3A%2F%2Fapp.example.evil.example%2F', '/'],
  ['RED-14', 'next=%2F%2Fevil.example%40app.example', '/'],
  ['RED-17', 'next=%2F%0D%0ASet-Cookie%3A%20x%3Dy', '/'],
  ['RED-18', 'next=' + '%2Fa'.repeat(2000), '/'],
];

export const loginNext: Scenario = {
  id: 'login-next',
  title: 'an authenticated POST /login returns to a validated same-origin next, else /',
  app: () => ({
    backend: basicBackend(),
    routes: [
      {
        method: 'POST',
        path: '/login',
        requires: { scopes: 'authenticated', options: { status: 401 } },
        handler: (view) => ({ status: 303, headers: { location: safeNext(view.query.get('next'), '/') }, text: '' }),
      },
    ],
  }),
  cases: [
    {
      name: 'POST /login?next=%2Fadmin%3Fx%3D1 → 303 /admin?x=1',
      async run(t) {
        const res = await t.post('/login?next=%2Fadmin%3Fx%3D1').set('Authorization', ALICE);
        expect(res.status).toBe(303);
        expect(res.headers['location']).toBe('/admin?x=1');
      },
    },
    {
      name: 'RED-19 no next and a hostile Referer → 303 /',
      async run(t) {
        const res = await t.post('/login').set('Authorization', ALICE).set('Referer', 'https://evil.example/phish');
        expect(res.status).toBe(303);
        expect(res.headers['location']).toBe('/');
      },
    },
    ...TARGETS.map(([id, query, expected]) => ({
      name: `${id} POST /login?${query.length > 60 ? query.slice(0, 60) + '…' : query} → 303 ${expected}`,
      async run(t: Parameters<Scenario['cases'][number]['run']>[0]) {
        const res = await t.post(`/login?${query}`).set('Authorization', ALICE);
        expect(res.status).toBe(303);
        expect(res.headers['location']).toBe(expected);
        expect(res.headers['set-cookie']).toBeUndefined();
      },
    })),
    {
      name: 'RED-21 the emitted Location equals the validated string byte for byte',
      async run(t) {
        const res = await t.raw([
          'POST /login?next=%2Fcaf%C3%A9%3Fq%3D%25%26r%3D1 HTTP/1.1',
          'Host: app.example',
          `Authorization: ${ALICE}`,
          'Content-Length: 0',
        ]);
        expect(res.status).toBe(303);
        expect(res.header('location')).toBe(safeNext('/café?q=%&r=1'));
      },
    },
  ],
};
