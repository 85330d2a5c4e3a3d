// Where Hono's client address comes from on each runtime, in process (`app.request`
// with the `c.env` each runtime passes); the conformance suite checks it over real
// sockets on Node, Bun, Deno and workerd.
import { inspect } from 'node:util';
import { Hono, type Context } from 'hono';
import { describe, expect, it } from 'vitest';
import { SimpleUser, tokenAuth } from '@portcullis/core';
import { authentication, clientAddress, type AuthEnv, type HonoAuthenticationOptions } from '../src/index.js';
import { thrown } from '../../../test-support/connection.js';

const backend = tokenAuth({ verify: (t) => (t === 'good' ? new SimpleUser('alice') : null) });
const XFF = { 'x-forwarded-for': '6.6.6.6, 203.0.113.7' };

function app(options: Omit<HonoAuthenticationOptions, 'backend'> | undefined): Hono<AuthEnv> {
  const hono = new Hono<AuthEnv>();
  if (options !== undefined) hono.use(authentication({ backend, ...options }));
  hono.get('/', (c: Context) => c.text(clientAddress(c) ?? 'none'));
  return hono;
}

async function address(hono: Hono<AuthEnv>, env: unknown, headers: Record<string, string> = XFF): Promise<string> {
  return (await hono.request('/', { headers }, env)).text();
}

describe('Hono: the client address', () => {
  const bun = { requestIP: () => ({ address: '10.0.0.1', family: 'IPv4', port: 1 }) };
  const deno = { remoteAddr: { transport: 'tcp', hostname: '::ffff:10.0.0.1', port: 1 } };
  const node = { incoming: { socket: { remoteAddress: '10.0.0.1' } } };

  it("THR-10 is c.env's peer (Bun's server, Deno's info, @hono/node-server's incoming); forwarded headers are not read", async () => {
    for (const env of [bun, deno, node]) expect(await address(app({}), env)).toBe('10.0.0.1');
  });

  it('through trustedProxies: the address the trusted peer reported; THR-11 an untrusted peer is the client', async () => {
    for (const env of [bun, deno, node]) expect(await address(app({ trustedProxies: ['10.0.0.0/8'] }), env)).toBe('203.0.113.7');
    expect(await address(app({ trustedProxies: ['127.0.0.1/32'] }), bun)).toBe('10.0.0.1');
  });

  it("Workers: none unless peerAddress says (CF-Connecting-IP), then trustedProxies applies as everywhere", async () => {
    const bindings = { SOME_KV: {} };
    expect(await address(app({ trustedProxies: 1 }), bindings)).toBe('none');
    const cf = app({ peerAddress: (c) => c.req.header('cf-connecting-ip') });
    expect(await address(cf, bindings, { ...XFF, 'cf-connecting-ip': '198.51.100.9' })).toBe('198.51.100.9');
  });

  it('without authentication in front: the peer, never a forwarded header', async () => {
    expect(await address(app(undefined), node)).toBe('10.0.0.1');
  });

  it('a peerAddress that is not a function, or a bad trustedProxies entry, fails at startup', () => {
    // The built core's ConfigurationError (the adapter imports its dist): compared by code.
    expect(thrown(() => authentication({ backend, peerAddress: 'cf-connecting-ip' as never }))).toMatchObject({ code: 'invalid_configuration' });
    expect(thrown(() => authentication({ backend, trustedProxies: ['10.0.0.0/8', 'proxy.internal'] }))).toMatchObject({ code: 'invalid_configuration' });
  });
});

describe('Hono: the state the guards read', () => {
  it('LEAK-07 printing or spreading c shows neither the remembered state nor its credential', async () => {
    const shown: string[] = [];
    const hono = new Hono<AuthEnv>();
    hono.use(authentication({ backend }));
    hono.get('/', (c: Context) => {
      shown.push(inspect(c, { depth: 6 }), inspect({ ...c }, { depth: 6 }));
      return c.text(clientAddress(c) ?? 'none');
    });
    const res = await hono.request('/', { headers: { authorization: 'Token good', ...XFF } }, { requestIP: () => ({ address: '10.0.0.1', family: 'IPv4', port: 1 }) });
    expect(await res.text()).toBe('10.0.0.1'); // the state is there
    for (const text of shown) expect(text).not.toContain('portcullis.state');
    expect(shown[1]).not.toContain('Token good');
  });
});
