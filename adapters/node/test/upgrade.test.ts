// upgradeHandler's Origin policy (WS-10, WS-11) and its session opener, on a real
// Node server with `ws` accepting the socket, requests sent byte for byte.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigurationError, MemorySessionStore, sessionAuth, type BaseUser } from '@portcullis/core';
import { createAuthenticator, webSessions, type SessionPort } from '@portcullis/core/adapter';
import { DemoUser, USERS, basic, basicBackend, rawRequest, upgradeRequest } from '@portcullis/conformance';
import { upgradeHandler, type UpgradeOptions } from '@portcullis/node';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** A server whose upgrades go through `upgradeHandler` with `options`; counts the backend's verifications. */
async function serve(options: Omit<UpgradeOptions<BaseUser>, 'accept' | 'authentication'> & { authentication?: UpgradeOptions<BaseUser>['authentication'] }) {
  const verified = { count: 0 };
  const wss = new WebSocketServer({ noServer: true });
  const server = createServer();
  servers.push(server);
  server.on('upgrade', upgradeHandler({
    authentication: options.authentication ?? { authenticator: createAuthenticator({ backend: basicBackend('api', USERS, () => verified.count++) }) },
    ...options,
    accept: (req, socket, head, { user }) => wss.handleUpgrade(req, socket, head, (ws) => ws.close(1000, user.displayName)),
  }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { verified, port, status: async (lines: readonly string[]) => (await rawRequest(port, upgradeRequest('/ws', lines))).status };
}

const alice = `Authorization: ${basic('alice', 'alicepwd')}`;

describe('upgradeHandler: origins', () => {
  it('WS-10 an upgrade from a listed origin is authenticated and accepted', async () => {
    const app = await serve({ origins: ['https://app.example'] });
    expect(await app.status([alice, 'Origin: https://app.example'])).toBe(101);
    expect(app.verified.count).toBe(1);
  });

  it('WS-11 a cross-site Origin (null included) is refused with 403 before authentication, whatever the credentials', async () => {
    const app = await serve({ origins: ['https://app.example'] });
    for (const origin of ['https://evil.example', 'null', 'https://app.example:8443', 'http://app.example']) {
      const res = await rawRequest(app.port, upgradeRequest('/ws', [alice, `Origin: ${origin}`]));
      expect([origin, res.status, res.body, res.header('www-authenticate')]).toEqual([origin, 403, '', undefined]);
    }
    expect(app.verified.count).toBe(0); // refused before the backend ran
  });

  it('WS-11 an upgrade without Origin (cookies, Basic or none) is refused with origins set, unless allowMissingOrigin', async () => {
    const strict = await serve({ origins: ['https://app.example'] });
    expect(await strict.status([alice])).toBe(403);
    expect(await strict.status(['Cookie: id=abc'])).toBe(403);
    expect(strict.verified.count).toBe(0);
    const lenient = await serve({ origins: ['https://app.example'], allowMissingOrigin: true });
    expect(await lenient.status([alice])).toBe(101); // a non-browser client
    expect(await lenient.status([alice, 'Origin: https://evil.example'])).toBe(403);
  });

  it('without origins, Origin is not checked (as before)', async () => {
    const app = await serve({});
    expect(await app.status([alice, 'Origin: https://evil.example'])).toBe(101);
    expect(await app.status([alice])).toBe(101);
  });

  it('origins that are not exact origins throw a ConfigurationError when the handler is made', () => {
    const authentication = { authenticator: createAuthenticator({ backend: basicBackend() }) };
    for (const origins of [['https://app.example/path'], ['app.example'], ['ftp://app.example'], 'https://app.example']) {
      expect(() => upgradeHandler({ authentication, origins: origins as string[], accept: () => undefined })).toThrow(ConfigurationError);
    }
  });
});

describe('upgradeHandler: session', () => {
  const sessionAuthentication = {
    authenticator: createAuthenticator(sessionAuth({ mode: 'optional', retrieveUser: (data: { name: string }) => new DemoUser(data.name) })),
  };

  it('without a session opener, a sessionAuth backend refuses the upgrade with 503 (no session middleware runs on upgrades)', async () => {
    const app = await serve({ authentication: sessionAuthentication });
    expect(await app.status([])).toBe(503);
  });

  it('an opener that throws or rejects (the store is down) refuses with 503, never anonymous', async () => {
    for (const session of [() => { throw new Error('store down'); }, () => Promise.reject(new Error('store down'))]) {
      const app = await serve({ authentication: sessionAuthentication, session });
      expect(await app.status([])).toBe(503);
    }
  });

  it('the opened session decides: a session port with no session is anonymous (optional mode)', async () => {
    const opened: IncomingMessage[] = [];
    const engine = webSessions({ secret: 'a'.repeat(32), store: new MemorySessionStore(), cookie: { secure: false } });
    const session = (req: IncomingMessage): SessionPort => {
      opened.push(req);
      return engine.open({ cookies: new Map(), secure: false }).port;
    };
    const app = await serve({ authentication: sessionAuthentication, session });
    expect(await app.status([])).toBe(101);
    expect(opened).toHaveLength(1);
  });
});
