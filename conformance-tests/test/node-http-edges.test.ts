// What the node:http example of docs/adapters.md answers on its own, outside the conformance scenarios.
import { basic, basicBackend, hello, type AppSpec } from '@portcullis/conformance';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../example/node-http.js';

const app = (spec: Partial<AppSpec>) => createApp({ backend: basicBackend(), routes: [], ...spec });

describe('node:http example: the answers that are not Portcullis decisions', () => {
  it('an onError header Node refuses to send becomes the table\'s 500, not a crash', async () => {
    const server = app({
      onError: () => ({ status: 401, headers: { 'x-reason': 'bad\r\nset-cookie: x=1' }, body: 'no' }),
      routes: [{ method: 'GET', path: '/', handler: hello }],
    });
    const res = await request(server).get('/').set('Authorization', basic('alice', 'wrong'));
    expect(res.status).toBe(500);
    expect(res.text).toBe('Internal Server Error');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('a body over 16 KiB gets 413 and the handler never runs', async () => {
    let ran = false;
    const server = app({ routes: [{ method: 'POST', path: '/echo', handler: () => ((ran = true), { text: 'ran' }) }] });
    const res = await request(server).post('/echo').type('text').send('x'.repeat(16 * 1024 + 1));
    expect(res.status).toBe(413);
    expect(ran).toBe(false);
    const ok = await request(server).post('/echo').type('text').send('x'.repeat(16 * 1024));
    expect(ok.text).toBe('ran');
  });

  it('a handler that throws gets a plain 500, and the server keeps serving', async () => {
    const server = app({
      routes: [
        { method: 'GET', path: '/boom', handler: () => Promise.reject(new Error('secret detail')) },
        { method: 'GET', path: '/', handler: hello },
      ],
    });
    const res = await request(server).get('/boom');
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('secret detail');
    expect((await request(server).get('/')).text).toBe('Hello, you');
  });
});
