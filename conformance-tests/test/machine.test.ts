// The bare machine at the top of reference.ts (decide, bareApp): what core/README.md shows,
// checked here to run and to stay equal to the file.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { basicAuth, SimpleUser } from '@portcullis/core';
import { createGuard } from '@portcullis/core/adapter';
import { bareApp } from '@portcullis/conformance/reference';
import { describe, expect, it } from 'vitest';

const app = bareApp(
  { backend: basicAuth({ realm: 'api', verify: (u, p) => (u === 'alice' && p === 'secret' ? new SimpleUser(u) : null) }) },
  createGuard('authenticated'),
  (user) => new Response(`Hello, ${user.displayName}`),
);
const get = (authorization?: string) =>
  app(new Request('http://app.example/admin', authorization === undefined ? {} : { headers: { authorization } }));

describe('the bare machine (reference.ts, core/README.md)', () => {
  it('anonymous → the guard answers 403; valid Basic → the handler as the user; invalid → 401 with the challenge', async () => {
    expect((await get()).status).toBe(403);
    const ok = await get(`Basic ${btoa('alice:secret')}`);
    expect([ok.status, await ok.text()]).toEqual([200, 'Hello, alice']);
    const bad = await get(`Basic ${btoa('alice:wrong')}`);
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toBe('Basic realm="api", charset="UTF-8"');
    expect((await get('Basic !!!')).status).toBe(400);
  });

  it('core/README.md shows the machine exactly as reference.ts has it', () => {
    const source = readFileSync(fileURLToPath(new URL('../src/reference.ts', import.meta.url)), 'utf8');
    const readme = readFileSync(fileURLToPath(new URL('../../core/README.md', import.meta.url)), 'utf8');
    const region = /\/\/ #region machine\n([\s\S]*?)\/\/ #endregion machine\n/.exec(source)?.[1];
    expect(region).toBeDefined();
    expect(readme).toContain(`\`\`\`ts\n${region}\`\`\``);
    expect((region as string).split('\n').length).toBeLessThan(45);
  });
});
