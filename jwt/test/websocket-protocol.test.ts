// The Sec-WebSocket-Protocol carrier on the JWT backends (issue #15 part 3): a browser's
// `new WebSocket(url, ['app.v1', 'portcullis.bearer.' + jwt])`.
import { BEARER_PROTOCOL_PREFIX, SimpleUser } from '@portcullis/core';
import { createAuthenticator, createConnection } from '@portcullis/core/adapter';
import { describe, expect, it } from 'vitest';
import { MemoryRevocationStore, jwtAuth, tokenOf } from '../src/index.js';
import { AUDIENCE, ISSUER, SECRET, frozenClock, retrieveUser } from './helpers.js';

function setup(webSocketProtocol?: boolean) {
  const clock = frozenClock();
  const revocation = new MemoryRevocationStore({ clock: clock.now });
  const jwt = jwtAuth<SimpleUser>({ algorithms: ['HS256'], secret: SECRET, issuer: ISSUER, audience: AUDIENCE, retrieveUser, clock: clock.now, revocation, ...(webSocketProtocol === undefined ? {} : { webSocketProtocol }) });
  const authenticator = createAuthenticator({ backend: jwt });
  const run = async (headers: Record<string, string>, kind: 'websocket' | 'http' = 'websocket') => {
    const d = await authenticator.run(createConnection({ kind, method: 'GET', target: '/ws', header: (n) => headers[n], now: clock.now }));
    return d.type === 'respond' ? d.response.status : d.user.isAuthenticated ? d : 'anonymous';
  };
  return { jwt, run, revocation };
}

describe('jwtAuth({ webSocketProtocol: true })', () => {
  it('authenticates a websocket whose protocol list carries the JWT; revoked → 401', async () => {
    const { jwt, run } = setup(true);
    const { token } = await jwt.issue('alice');
    const protocol = { 'sec-websocket-protocol': `app.v1, ${BEARER_PROTOCOL_PREFIX}${token}` };
    const decision = await run(protocol);
    expect(typeof decision === 'object' && decision.user.identity).toBe('alice');
    if (typeof decision === 'object') await jwt.revoke(tokenOf(decision.auth)!);
    expect(await run(protocol)).toBe(401);
  });

  it('is read on websocket connections only, and only with the option; both carriers at once → 400', async () => {
    const { jwt, run } = setup(true);
    const { token } = await jwt.issue('alice');
    const carrier = `${BEARER_PROTOCOL_PREFIX}${token}`;
    expect(await run({ 'sec-websocket-protocol': carrier }, 'http')).toBe('anonymous');
    expect(await setup().run({ 'sec-websocket-protocol': carrier })).toBe('anonymous');
    expect(await run({ 'sec-websocket-protocol': carrier, authorization: `Bearer ${token}` })).toBe(400);
    expect(jwt.reads).toEqual(['authorization', 'header:sec-websocket-protocol']);
  });
});
