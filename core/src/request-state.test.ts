import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { conn } from '../../test-support/connection.js';
import { createGuard } from './guard.js';
import { NO_CREDENTIALS } from './credentials.js';
import { privateSlot, requestStates } from './request-state.js';
import { ANONYMOUS } from './user.js';

// The state every adapter keeps on its native request object (Express `req`, Koa `ctx`,
// Hono `c`, Fastify's request): it holds the request's `Connection`, whose header values
// are the credentials. An app that logs the request object must not print them.
describe.each(['field', 'weakMap'] as const)('requestStates (storage: %s)', (storage) => {
  const TOKEN = 'Bearer s3cr3t-token-value';
  const COOKIE = 'sid=cookie-value-42';
  const remembered = () => {
    const states = requestStates<object>({ storage });
    const req: Record<string, unknown> = { url: '/admin' };
    states.remember(req, conn({ headers: { authorization: TOKEN, cookie: COOKIE } }), ['Bearer realm="api"']);
    return { states, req };
  };

  it('LEAK-07 the remembered state is not enumerable: inspect, JSON.stringify and a spread show no credential', () => {
    const { states, req } = remembered();
    expect(states.connection(req)?.header('authorization')).toBe(TOKEN); // the state is there
    for (const shown of [inspect(req, { depth: 10 }), JSON.stringify(req), inspect({ ...req }, { depth: 10 })]) {
      expect(shown).not.toContain('s3cr3t');
      expect(shown).not.toContain('cookie-value');
    }
    expect(Object.getOwnPropertySymbols({ ...req })).toEqual([]);
  });

  it('remembering twice on one object replaces the state (a second middleware in front)', () => {
    const { states, req } = remembered();
    states.remember(req, conn({ target: '/second' }), []);
    expect(states.connection(req)?.path).toBe('/second');
    expect(states.check(createGuard('admin'), req, () => ({ user: ANONYMOUS, auth: NO_CREDENTIALS }), () => conn())).not.toBeNull();
  });

  it('the connection and the challenges are remembered and replaced together; two adapters and a privateSlot never mix', () => {
    // The field storage keeps the two in fields of their own, with no state object (issue #17).
    const { states, req } = remembered();
    const other = requestStates<object>({ storage });
    const slot = privateSlot<string>();
    expect(states.challenges(req)).toEqual(['Bearer realm="api"']);
    expect(other.connection(req)).toBeUndefined();
    expect(other.challenges(req)).toEqual([]);
    slot.set(req, 'x');
    other.remember(req, conn({ target: '/other' }), ['Basic realm="o"']);
    states.remember(req, conn({ target: '/second' }), ['Token']);
    expect(states.connection(req)?.path).toBe('/second');
    expect(states.challenges(req)).toEqual(['Token']);
    expect(other.connection(req)?.path).toBe('/other');
    expect(other.challenges(req)).toEqual(['Basic realm="o"']);
    expect(slot.get(req)).toBe('x');
    // The guard sees the remembered connection and challenges, as it would given them itself.
    const guard = createGuard('admin');
    const denied = states.check(guard, req, () => ({ user: ANONYMOUS, auth: NO_CREDENTIALS }), () => conn());
    expect(denied).not.toBeNull();
    expect(denied).toEqual(guard.check(states.connection(req)!, { user: ANONYMOUS, auth: NO_CREDENTIALS, challenges: ['Token'] }));
    expect(states.connection({})).toBeUndefined();
    expect(states.challenges({})).toEqual([]);
  });
});

describe("requestStates({ storage: 'weakMap' }) (Express, issue #17)", () => {
  it('keeps the state off the request object (a frozen one works too)', () => {
    const states = requestStates<object>({ storage: 'weakMap' });
    const req = Object.freeze({ url: '/admin' });
    states.remember(req, conn({ target: '/admin' }), ['Basic realm="x"']);
    expect(states.connection(req)?.path).toBe('/admin');
    expect(states.challenges(req)).toEqual(['Basic realm="x"']);
    expect(states.connection({})).toBeUndefined();
  });

  it('two adapters keep their own states on one object', () => {
    const a = requestStates<object>({ storage: 'weakMap' });
    const b = requestStates<object>({ storage: 'weakMap' });
    const req = {};
    a.remember(req, conn({ target: '/a' }), []);
    expect(b.connection(req)).toBeUndefined();
    expect(a.connection(req)?.path).toBe('/a');
  });
});

describe('privateSlot (one value per object, for adapters)', () => {
  it('LEAK-07 the value is invisible to keys, symbols, JSON, spreads and inspect, and each slot has its own name', () => {
    const a = privateSlot<{ secret: string }>();
    const b = privateSlot<{ secret: string }>();
    const ctx = { url: '/' };
    a.set(ctx, { secret: 'Bearer s3cr3t' });
    expect(a.get(ctx)).toEqual({ secret: 'Bearer s3cr3t' });
    expect(b.get(ctx)).toBeUndefined();
    expect(a.get({})).toBeUndefined();
    expect(Object.keys(ctx)).toEqual(['url']);
    expect(Object.getOwnPropertySymbols(ctx)).toEqual([]);
    expect(JSON.stringify(ctx)).toBe('{"url":"/"}');
    expect({ ...ctx }).toEqual({ url: '/' });
    expect(inspect(ctx, { showHidden: true, depth: 5 })).not.toContain('s3cr3t');
  });

  it('setting again replaces the value', () => {
    const slot = privateSlot<number>();
    const ctx = {};
    slot.set(ctx, 1);
    slot.set(ctx, 2);
    expect(slot.get(ctx)).toBe(2);
  });
});
