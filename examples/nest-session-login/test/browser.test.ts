import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { pbkdf2Hasher } from '@portcullis/core/hashing';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS, chromiumGate } from '../../../test-support/services.js';
import { createApp } from '../src/app.js';

// A real browser (Debian's chromium, never a downloaded one) through the whole flow on each of
// Nest's platforms: guarded page → login form → session cookie → logout → refused again.

const ACCOUNT = { username: 'alice', password: 'correct horse battery staple' };
const gate = chromiumGate('browser test');

describe.runIf(gate === 'fail')('the browser test needs chromium', () => {
  it(`${CHROMIUM} is available (required when CI is set)`, () => {
    throw new Error(`${CHROMIUM} is missing`);
  });
});

describe.runIf(gate === 'run').each(['express', 'fastify'] as const)('nest-session-login in chromium, Nest on %s', (platform) => {
  let app: INestApplication;
  let url: string;
  let context: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    app = await createApp(platform, { secret: 'nest-session-login-browser-secret-0123456789', account: ACCOUNT, secure: false, hasher: pbkdf2Hasher({ iterations: 1_000 }), log: () => {} });
    const server = app.getHttpServer() as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    profile = mkdtempSync(join(tmpdir(), 'portcullis-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS] });
  }, 30_000);

  afterAll(async () => {
    await context?.close();
    await app?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('SES-02 fills the login form, lands on the guarded page, logs out with its form, and is refused afterwards', async () => {
    const page = context.pages()[0] ?? (await context.newPage());

    // The guarded page sends the browser to the login form, keeping where it wanted to go.
    await page.goto(`${url}/account?tab=1`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/account?tab=1');

    // A wrong password: back to the form, no session cookie.
    await page.fill('input[name=username]', ACCOUNT.username);
    await page.fill('input[name=password]', 'wrong password');
    await Promise.all([page.waitForURL(/failed=1/), page.click('button[type=submit]')]);
    expect(await page.textContent('[role=alert]')).toBe('Wrong user name or password.');
    expect((await context.cookies()).filter((c) => c.name === 'id')).toEqual([]);

    // The right password: 303 to /account?tab=1 with an HttpOnly session cookie.
    await page.fill('input[name=username]', ACCOUNT.username);
    await page.fill('input[name=password]', ACCOUNT.password);
    await Promise.all([page.waitForURL(`${url}/account?tab=1`), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Hello, alice');
    const cookies = (await context.cookies()).filter((c) => c.name === 'id');
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(await page.evaluate(() => document.cookie)).toBe('');

    // Log out with the page's own form (a same-origin POST with its CSRF token).
    await Promise.all([page.waitForURL(`${url}/login`), page.click('form[action="/logout"] button')]);
    expect((await context.cookies()).filter((c) => c.name === 'id')).toEqual([]);

    // Replaying the old cookie does not help: the session was destroyed on the server.
    await context.addCookies([{ ...(cookies[0] as (typeof cookies)[number]) }]);
    await page.goto(`${url}/account`);
    expect(new URL(page.url()).pathname).toBe('/login');
  }, 60_000);
});
