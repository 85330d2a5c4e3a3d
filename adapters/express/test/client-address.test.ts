// The client address behind nginx on loopback, through a real Express app and server:
// `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for` appends the client it saw
// to whatever the client sent. Nothing the client adds may make its address the proxy's
// (127.0.0.1, which "admin only from loopback" rules trust) or hide it.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import type { ForwardedHeader } from '@portcullis/core';
import { authentication, clientAddress } from '@portcullis/express';
import { describe, expect, it } from 'vitest';

const CLIENT = '203.0.113.7';

async function addressFor(headers: Record<string, string>, forwardedHeader?: ForwardedHeader): Promise<string> {
  const app = express();
  app.use(authentication({ backend: { authenticate: () => null }, trustedProxies: ['loopback'], ...(forwardedHeader === undefined ? {} : { forwardedHeader }) }));
  app.get('/address', (req, res) => res.json({ address: clientAddress(req) ?? 'unknown' }));
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    let call = request(`http://127.0.0.1:${(server.address() as AddressInfo).port}`).get('/address');
    for (const [name, value] of Object.entries(headers)) call = call.set(name, value);
    const res = await call;
    expect(res.status).toBe(200);
    return (res.body as { address: string }).address;
  } finally {
    server.close();
  }
}

/** What nginx forwards when the client sent `X-Forwarded-For: sent` (or none). */
const nginx = (sent?: string): Record<string, string> => ({ 'X-Forwarded-For': sent === undefined ? CLIENT : `${sent}, ${CLIENT}` });

describe('Express clientAddress behind nginx (X-Forwarded-For appended)', () => {
  it('THR-11 an empty element or 9 KiB of padding from the client: the entry nginx appended is the client', async () => {
    expect(await addressFor(nginx(','))).toBe(CLIENT);
    expect(await addressFor(nginx(''))).toBe(CLIENT);
    expect(await addressFor(nginx(`${'1'.repeat(9 * 1024)}`))).toBe(CLIENT);
    expect(await addressFor(nginx('127.0.0.1, '.repeat(900)))).toBe(CLIENT);
  });

  it("THR-11 a Forwarded header the client adds (for=127.0.0.1, for=a;for=b): ignored with forwardedHeader, unknown without; never the proxy's address", async () => {
    for (const forwarded of ['for=127.0.0.1', 'for=a;for=b']) {
      expect(await addressFor({ ...nginx(), Forwarded: forwarded }, 'x-forwarded-for'), forwarded).toBe(CLIENT);
      expect(await addressFor({ ...nginx(), Forwarded: forwarded }), forwarded).toBe('unknown');
    }
  });

  it('a proxy writing Forwarded, named: what the client put before its element is not judged', async () => {
    expect(await addressFor({ Forwarded: `for=a;for=b, for=${CLIENT}`, 'X-Forwarded-For': '127.0.0.1' }, 'forwarded')).toBe(CLIENT);
    expect(await addressFor({ Forwarded: `for="unterminated, for=${CLIENT}` }, 'forwarded')).toBe(CLIENT);
  });
});
