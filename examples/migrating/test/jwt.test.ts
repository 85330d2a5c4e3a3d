// docs/migrating.md, the JWT sections: passport-jwt, express-jwt, koa-jwt, hono/jwt.
// The four "after" apps are the same jwtAuth backend on three frameworks, so they
// share one set of expectations (AFTER); each peer has its own (the tables' middle column).
import type request from 'supertest';
import { expect } from 'vitest';
import * as expressJwtAfter from '../src/express-jwt-after.js';
import * as expressJwtBefore from '../src/express-jwt-before.js';
import * as honoJwtAfter from '../src/hono-jwt-after.js';
import * as honoJwtBefore from '../src/hono-jwt-before.js';
import * as koaJwtAfter from '../src/koa-jwt-after.js';
import * as koaJwtBefore from '../src/koa-jwt-before.js';
import * as passportJwtAfter from '../src/passport-jwt-after.js';
import * as passportJwtBefore from '../src/passport-jwt-before.js';
import { ALICE, SECRET, basic, getBoth, honoServer, migration, token, unsignedToken, type Target } from './support.js';

const past = (): number => Math.floor(Date.now() / 1000) - 60;
const bearer = async (options?: Parameters<typeof token>[0]): Promise<Record<string, string>> => ({ Authorization: `Bearer ${await token(options)}` });

/** The rows of every JWT table, in order: label → the request's headers. */
const CASES = {
  'a valid HS256 token (`typ: JWT`)': () => bearer(),
  'a valid token with `typ: at+jwt` (RFC 9068)': () => bearer({ typ: 'at+jwt' }),
  'no `Authorization` header': async () => ({}),
  'an expired token': () => bearer({ exp: past() }),
  'HS512 token signed with the same secret': () => bearer({ alg: 'HS512' }),
  'an unsigned token (`alg: none`)': async () => ({ Authorization: `Bearer ${unsignedToken()}` }),
  'a token without `exp`': () => bearer({ exp: null }),
  'a token whose `sub` is no user': () => bearer({ sub: 'u999' }),
  '`Authorization: Bearer a b` (malformed)': async () => ({ Authorization: 'Bearer a b' }),
  '`Authorization: Basic …` (another scheme)': async () => ({ Authorization: basic(ALICE.username, ALICE.password) }),
} as const;
type Case = keyof typeof CASES;
type Check = (res: request.Response) => void;

const ok: Check = (res) => {
  expect(res.status).toBe(200);
  expect(res.body.sub).toBe(ALICE.id);
};
const challenged =
  (code: number, challenge: string | RegExp | undefined, text = 'Unauthorized'): Check =>
  (res) => {
    expect(res.status).toBe(code);
    if (challenge === undefined) expect(res.headers['www-authenticate']).toBeUndefined();
    else expect(res.headers['www-authenticate']).toMatch(challenge);
    expect(res.text).toBe(text);
  };

const INVALID_TOKEN = 'Bearer realm="api", error="invalid_token"';
const AFTER: Record<Case, Check> = {
  'a valid HS256 token (`typ: JWT`)': (res) => {
    ok(res);
    expect(res.body).toEqual({ sub: ALICE.id, name: ALICE.username });
  },
  'a valid token with `typ: at+jwt` (RFC 9068)': ok,
  'no `Authorization` header': challenged(401, /^Bearer realm="api"$/),
  'an expired token': challenged(401, /^Bearer realm="api", error="invalid_token", error_description="expired"$/),
  'HS512 token signed with the same secret': challenged(401, new RegExp(`^${INVALID_TOKEN}$`)),
  'an unsigned token (`alg: none`)': challenged(401, new RegExp(`^${INVALID_TOKEN}$`)),
  'a token without `exp`': challenged(401, new RegExp(`^${INVALID_TOKEN}$`)),
  'a token whose `sub` is no user': challenged(401, new RegExp(`^${INVALID_TOKEN}$`)),
  '`Authorization: Bearer a b` (malformed)': challenged(400, /^Bearer realm="api", error="invalid_request"$/, 'Invalid authorization credentials'),
  '`Authorization: Basic …` (another scheme)': challenged(401, /^Bearer realm="api"$/),
};

/** One JWT section: every case sent to both apps, `before` checked by the peer's column, `after` by AFTER. */
function jwtSection(heading: string, before: Target, after: Target, expectBefore: Record<Case, Check>): void {
  const rows: Record<string, () => Promise<void>> = {};
  for (const label of Object.keys(CASES) as Case[]) {
    rows[label] = async () => {
      const [b, a] = await getBoth(before, after, await CASES[label]());
      expectBefore[label](b);
      AFTER[label](a);
    };
  }
  migration(heading, rows);
}

const options = { secret: SECRET };

jwtSection('passport-jwt', passportJwtBefore.createApp(options), passportJwtAfter.createApp(options), {
  'a valid HS256 token (`typ: JWT`)': (res) => {
    ok(res);
    expect(res.body).toEqual({ sub: ALICE.id, name: ALICE.username });
  },
  'a valid token with `typ: at+jwt` (RFC 9068)': ok,
  'no `Authorization` header': challenged(401, undefined),
  'an expired token': challenged(401, undefined),
  // No `algorithms` option (as in passport-jwt's README): jsonwebtoken accepts every HS* for a secret.
  'HS512 token signed with the same secret': ok,
  'an unsigned token (`alg: none`)': challenged(401, undefined),
  'a token without `exp`': ok,
  'a token whose `sub` is no user': challenged(401, undefined),
  '`Authorization: Bearer a b` (malformed)': challenged(401, undefined),
  '`Authorization: Basic …` (another scheme)': challenged(401, undefined),
});

/** Express's default error handler: an HTML page with the error's stack outside production. */
const expressErrorPage: Check = (res) => {
  expect(res.status).toBe(401);
  expect(res.headers['www-authenticate']).toBeUndefined();
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  expect(res.text).toContain('UnauthorizedError');
};

jwtSection('From express-jwt', expressJwtBefore.createApp(options), expressJwtAfter.createApp(options), {
  'a valid HS256 token (`typ: JWT`)': (res) => {
    ok(res);
    expect(res.body).toEqual({ sub: ALICE.id });
  },
  'a valid token with `typ: at+jwt` (RFC 9068)': ok,
  'no `Authorization` header': expressErrorPage,
  'an expired token': expressErrorPage,
  'HS512 token signed with the same secret': expressErrorPage,
  'an unsigned token (`alg: none`)': expressErrorPage,
  'a token without `exp`': ok,
  'a token whose `sub` is no user': (res) => {
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sub: 'u999' });
  },
  '`Authorization: Bearer a b` (malformed)': expressErrorPage,
  '`Authorization: Basic …` (another scheme)': expressErrorPage,
});

const koaBadFormat = 'Bad Authorization header format. Format is "Authorization: Bearer <token>"';
jwtSection('From koa-jwt', koaJwtBefore.createApp(options).callback(), koaJwtAfter.createApp(options).callback(), {
  'a valid HS256 token (`typ: JWT`)': (res) => {
    ok(res);
    expect(res.body).toEqual({ sub: ALICE.id });
  },
  'a valid token with `typ: at+jwt` (RFC 9068)': ok,
  'no `Authorization` header': challenged(401, undefined, 'Authentication Error'),
  'an expired token': challenged(401, undefined, 'Authentication Error'),
  'HS512 token signed with the same secret': challenged(401, undefined, 'Authentication Error'),
  'an unsigned token (`alg: none`)': challenged(401, undefined, 'Authentication Error'),
  'a token without `exp`': ok,
  'a token whose `sub` is no user': (res) => {
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sub: 'u999' });
  },
  '`Authorization: Bearer a b` (malformed)': challenged(401, undefined, koaBadFormat),
  '`Authorization: Basic …` (another scheme)': challenged(401, undefined, koaBadFormat),
});

// hono/jwt's realm defaults to the request's URL.
const honoChallenge = (error: string, description: string): RegExp =>
  new RegExp(`^Bearer realm="http://127\\.0\\.0\\.1:\\d+/me",error="${error}",error_description="${description}"$`);
const honoInvalidToken = challenged(401, honoChallenge('invalid_token', 'token verification failure'));
jwtSection("From Hono's jwt", honoServer(honoJwtBefore.createApp(options)), honoServer(honoJwtAfter.createApp(options)), {
  'a valid HS256 token (`typ: JWT`)': (res) => {
    ok(res);
    expect(res.body).toEqual({ sub: ALICE.id });
  },
  'a valid token with `typ: at+jwt` (RFC 9068)': honoInvalidToken,
  'no `Authorization` header': challenged(401, honoChallenge('invalid_request', 'no authorization included in request')),
  'an expired token': honoInvalidToken,
  'HS512 token signed with the same secret': honoInvalidToken,
  'an unsigned token (`alg: none`)': honoInvalidToken,
  'a token without `exp`': ok,
  'a token whose `sub` is no user': (res) => {
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sub: 'u999' });
  },
  '`Authorization: Bearer a b` (malformed)': challenged(401, honoChallenge('invalid_request', 'invalid credentials structure')),
  '`Authorization: Basic …` (another scheme)': challenged(401, honoChallenge('invalid_request', 'invalid credentials structure')),
});
