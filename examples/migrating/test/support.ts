// What the before/after tests share: the demo's credentials, JWTs signed like the
// peers' issuers sign them, Node servers for Koa and Hono apps, and `migration()`,
// which runs a section's rows and checks that docs/migrating.md's table for that
// section lists exactly those rows (a claim in the doc without a test is an error).
import { readFileSync } from 'node:fs';
import type { RequestListener, Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createAdaptorServer } from '@hono/node-server';
import { SignJWT } from 'jose';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER } from '../src/jwt-settings.js';

/** An account of `src/users.ts`. */
export const ALICE = { id: 'u1', username: 'alice', password: 'correct horse battery staple' } as const;
/** The account whose password has colons (and a non-ASCII letter) in it. */
export const BOB = { id: 'u2', username: 'bob', password: 'pa:ss:wörd' } as const;
/** The HS256 secret of the JWT apps and of `token()`. */
export const SECRET = 'migrating-guide-test-secret-0123456789abcdef';

/** What supertest can send requests to. */
export type Target = RequestListener | Server;

/** A Hono app behind a real Node HTTP server (supertest listens on a free port per request). */
export function honoServer(app: { fetch: (request: Request) => Response | Promise<Response> }): Server {
  return createAdaptorServer({ fetch: app.fetch }) as Server;
}

/** `Authorization: Basic …` of `username:password` in `encoding` (supertest's `.auth()` always encodes UTF-8). */
export function basic(username: string, password: string, encoding: BufferEncoding = 'utf8'): string {
  return `Basic ${Buffer.from(`${username}:${password}`, encoding).toString('base64')}`;
}

/** Options of {@link token}: each departs from a valid access token of ALICE. */
export interface TokenOptions {
  readonly alg?: 'HS256' | 'HS384' | 'HS512';
  readonly typ?: string;
  readonly sub?: string;
  /** Seconds since the epoch; `null`: no `exp` claim. Default: in 10 minutes. */
  readonly exp?: number | null;
}

/** A JWT signed with SECRET for ISSUER and AUDIENCE; by default HS256, `typ: JWT` (as jsonwebtoken and hono/jwt sign), ALICE, expiring in 10 minutes. */
export async function token(options: TokenOptions = {}): Promise<string> {
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: options.typ ?? 'JWT' })
    .setSubject(options.sub ?? ALICE.id)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt();
  if (options.exp !== null) jwt.setExpirationTime(options.exp ?? '10m');
  return jwt.sign(new TextEncoder().encode(SECRET));
}

/** An unsigned token (`alg: none`) that would otherwise be valid. */
export function unsignedToken(): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: ALICE.id, iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 600 })}.`;
}

/** `GET /me` with `headers`, sent to both apps. */
export async function getBoth(before: Target, after: Target, headers: Record<string, string> = {}): Promise<[request.Response, request.Response]> {
  return Promise.all([request(before).get('/me').set(headers), request(after).get('/me').set(headers)]);
}

/** Both answered `status`. */
export function expectStatus(responses: readonly request.Response[], status: number): void {
  expect(responses.map((res) => res.status)).toEqual(responses.map(() => status));
}

const DOC = fileURLToPath(new URL('../../../docs/migrating.md', import.meta.url));

/**
 * The first cells of the body rows of the tables in the section of docs/migrating.md
 * whose heading is `heading` (any level; code blocks skipped).
 */
export function tableRows(heading: string): string[] {
  const lines = readFileSync(DOC, 'utf8').split('\n');
  const start = lines.findIndex((line) => /^#{2,4} /.test(line) && line.replace(/^#+ /, '') === heading);
  if (start === -1) throw new Error(`docs/migrating.md has no heading "${heading}"`);
  const level = /^#+/.exec(lines[start]!)![0].length;
  const rows: string[] = [];
  let fenced = false;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('```')) fenced = !fenced;
    if (fenced) continue;
    const next = /^#+ /.exec(line);
    if (next !== null && next[0].length - 1 <= level) break;
    if (!line.startsWith('|')) continue;
    const following = lines[i + 1] ?? '';
    const isHeader = /^\|[\s:|-]+\|$/.test(following.trim());
    const isSeparator = /^\|[\s:|-]+\|$/.test(line.trim());
    if (isHeader || isSeparator) continue;
    rows.push(line.split('|')[1]!.trim());
  }
  return rows;
}

/**
 * The tests of one section of docs/migrating.md: each row sends the same requests to
 * the before and the after app and asserts what the doc's table says; one more test
 * checks that the table lists exactly these rows, in this order.
 */
export function migration(heading: string, rows: Readonly<Record<string, () => Promise<void>>>): void {
  describe(heading, () => {
    for (const [label, row] of Object.entries(rows)) it(label, row);
    it('docs/migrating.md: the table of this section has exactly these rows', () => {
      expect(tableRows(heading)).toEqual(Object.keys(rows));
    });
  });
}
