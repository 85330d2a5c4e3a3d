// The fuzzer's oracle on hand-made answers: it must catch what it is for, and not
// flag what is fine (a false alarm sends people chasing nothing).
import { checkAnswers, normalize, type FuzzRequest, type NormalizedAnswer } from '@portcullis/conformance/fuzz';
import type { RawResponse } from '@portcullis/conformance';
import { describe, expect, it } from 'vitest';

function raw(status: number, headers: [string, string][], body = ''): RawResponse {
  const text = `HTTP/1.1 ${status} X\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`;
  return { status, headers, body, text, header: (n) => headers.find(([k]) => k === n.toLowerCase())?.[1] };
}

const portcullis401 = normalize(raw(401, [['cache-control', 'no-store'], ['www-authenticate', 'Token, Basic realm="api", charset="UTF-8"']], 'Unauthorized'));
const handler = (route: string, user: string, status = 200): NormalizedAnswer =>
  normalize(raw(status, [['x-fuzz-route', route], ['x-fuzz-user', user]], '{}'));
const request = (over: Partial<FuzzRequest> = {}): FuzzRequest => ({ method: 'GET', target: '/guarded', headers: [], holders: [], ...over });
const all = (a: NormalizedAnswer, b: NormalizedAnswer = a) => new Map([['express', a], ['hono', b]]);

describe('fuzz oracle', () => {
  it('identical Portcullis answers pass', () => {
    expect(checkAnswers(request(), all(portcullis401))).toEqual([]);
  });

  it('a different challenge on one adapter is a divergence', () => {
    const other = normalize(raw(401, [['cache-control', 'no-store'], ['www-authenticate', 'Token']], 'Unauthorized'));
    expect(checkAnswers(request(), all(portcullis401, other)).join()).toMatch(/differ/);
  });

  it('a 5xx, a stack frame and an echoed credential are caught', () => {
    const leaky = normalize(raw(500, [], 'TypeError: x\n    at f (/app/node_modules/x/index.js:1:2)'));
    const problems = checkAnswers(request(), all(leaky)).join('\n');
    expect(problems).toMatch(/500/);
    expect(problems).toMatch(/internals leak/);
    const token = 'sekrit-token-value';
    const echo = normalize(raw(401, [['cache-control', 'no-store']], `bad token ${token}`));
    expect(checkAnswers(request({ headers: [['Authorization', `Bearer ${token}`]] }), all(echo)).join()).toMatch(/echoed/);
  });

  it('a bare scheme named by the challenge is not an echoed credential', () => {
    const challenge = normalize(raw(401, [['cache-control', 'no-store'], ['www-authenticate', 'ApiKey header="x-api-key"']], 'Unauthorized'));
    expect(checkAnswers(request({ headers: [['Authorization', 'ApiKey\t']] }), all(challenge))).toEqual([]);
  });

  it('an off-site Location, or an off-site next inside a login redirect, is an open redirect', () => {
    for (const location of ['//evil.example', '/\\evil.example', 'https://evil.example/', '/login?next=%2F%2Fevil.example']) {
      const redirect = normalize(raw(303, [['cache-control', 'no-store'], ['location', location]], 'See Other'));
      expect(checkAnswers(request(), all(redirect)).join(), location).toMatch(/unsafe Location/);
    }
    const safe = normalize(raw(303, [['cache-control', 'no-store'], ['location', '/login?next=%2Faccount']], 'See Other'));
    expect(checkAnswers(request(), all(safe))).toEqual([]);
  });

  it('a guarded handler run anonymously, or as a user whose credential was not sent, is caught', () => {
    expect(checkAnswers(request(), all(handler('guarded', ''))).join()).toMatch(/anonymous access/);
    expect(checkAnswers(request({ holders: ['bob'] }), all(handler('guarded', 'alice'))).join()).toMatch(/does not carry/);
    expect(checkAnswers(request({ holders: ['alice'] }), all(handler('guarded', 'alice')))).toEqual([]);
  });

  it('a Bearer 400 without the invalid_request challenge is caught', () => {
    const bare400 = normalize(raw(400, [['cache-control', 'no-store']], 'Multiple authorization credentials'));
    expect(checkAnswers(request({ headers: [['Authorization', 'Bearer a, Bearer b']] }), all(bare400)).join()).toMatch(/invalid_request/);
  });

  it("framework 404/405 on a path that is not literally a route's is not a divergence; on a route's path it is", () => {
    const notRouted = normalize(raw(404, [], 'Not Found'));
    const forbidden = normalize(raw(403, [['cache-control', 'no-store']], 'Forbidden'));
    expect(checkAnswers(request({ target: '/GUARDED' }), all(notRouted, forbidden))).toEqual([]);
    expect(checkAnswers(request({ target: '/guarded' }), all(notRouted, forbidden)).join()).toMatch(/differ/);
  });
});
