// The Sec-WebSocket-Protocol bearer carrier: read only on websocket connections, never echoed.
import { describe, expect, it } from 'vitest';
import { conn } from '../../test-support/connection.js';
import { createAuthenticator } from './authenticator.js';
import { bearerAuth } from './bearer.js';
import { ConfigurationError } from './errors.js';
import { SimpleUser } from './user.js';
import { BEARER_PROTOCOL_PREFIX, protocolBearerToken, selectProtocol } from './ws-protocol.js';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
const ws = (protocol: string, headers: Record<string, string> = {}) =>
  conn({ target: '/ws', kind: 'websocket', headers: { 'sec-websocket-protocol': protocol, ...headers } });
const authenticator = createAuthenticator({
  backend: bearerAuth({ webSocketProtocol: true, verify: (token) => (token === TOKEN ? new SimpleUser('alice') : null) }),
});
const statusOf = async (c: ReturnType<typeof conn>) => {
  const d = await authenticator.run(c);
  return d.type === 'respond' ? d.response.status : d.user.isAuthenticated ? d.user.identity : 'anonymous';
};

describe('the Sec-WebSocket-Protocol bearer carrier', () => {
  it('a token offered as one element authenticates the upgrade; the app protocol is selected, never the carrier', async () => {
    expect(await statusOf(ws(`app.v1, ${BEARER_PROTOCOL_PREFIX}${TOKEN}`))).toBe('alice');
    expect(selectProtocol(`app.v1, ${BEARER_PROTOCOL_PREFIX}${TOKEN}`, ['app.v1'])).toBe('app.v1');
    expect(selectProtocol(new Set([`${BEARER_PROTOCOL_PREFIX}${TOKEN}`, 'app.v2']), ['app.v1', 'app.v2'])).toBe('app.v2');
    // Even a server that lists the carrier (or any spelling of it) never echoes it.
    expect(selectProtocol([`Portcullis.Bearer.${TOKEN}`], [`Portcullis.Bearer.${TOKEN}`])).toBe(false);
    expect(selectProtocol(undefined, ['app.v1'])).toBe(false);
  });

  it('is never read on an HTTP request, nor without the option', async () => {
    expect(await statusOf(conn({ headers: { 'sec-websocket-protocol': `${BEARER_PROTOCOL_PREFIX}${TOKEN}` } }))).toBe('anonymous');
    const plain = createAuthenticator({ backend: bearerAuth({ verify: () => new SimpleUser('alice') }) });
    const d = await plain.run(ws(`${BEARER_PROTOCOL_PREFIX}${TOKEN}`));
    expect(d.type === 'continue' && d.user.isAuthenticated).toBe(false);
  });

  it('malformed → 400, two tokens or a token plus Authorization → 400, an unknown token → 401', async () => {
    for (const bad of [BEARER_PROTOCOL_PREFIX, `${BEARER_PROTOCOL_PREFIX}a/b`, `${BEARER_PROTOCOL_PREFIX}a=`, `${BEARER_PROTOCOL_PREFIX}a"b`]) {
      expect([bad, await statusOf(ws(`app.v1, ${bad}`))]).toEqual([bad, 400]);
    }
    expect(await statusOf(ws(`${BEARER_PROTOCOL_PREFIX}${TOKEN}, ${BEARER_PROTOCOL_PREFIX}${TOKEN}`))).toBe(400);
    expect(await statusOf(ws(`${BEARER_PROTOCOL_PREFIX}${TOKEN}`, { authorization: `Bearer ${TOKEN}` }))).toBe(400);
    expect(await statusOf(ws(`app.v1, ${BEARER_PROTOCOL_PREFIX}nope`))).toBe(401);
    expect(() => protocolBearerToken(ws(`x, ${BEARER_PROTOCOL_PREFIX}a, ${BEARER_PROTOCOL_PREFIX}b`))).toThrow(expect.objectContaining({ code: 'duplicate_authorization' }));
  });

  it('the option is checked at construction and declared in reads', () => {
    expect(() => bearerAuth({ webSocketProtocol: 'yes' as never, verify: () => null })).toThrow(ConfigurationError);
    expect(bearerAuth({ webSocketProtocol: true, verify: () => null }).reads).toEqual(['authorization', 'header:sec-websocket-protocol']);
    expect(bearerAuth({ verify: () => null }).reads).toEqual(['authorization']);
  });
});
