import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS, chromiumGate, combinedGate, redisGate } from '../../../test-support/services.js';
import { ACCOUNT, startApp } from './support.js';

// A real browser (Debian's chromium, never a downloaded one) through the whole flow:
// login form → session cookie → guarded page → logout → the guarded page is refused.

const chromiumAt = chromiumGate('browser test');
const hasChromium = chromiumAt === 'run';
const gate = combinedGate(chromiumAt, await redisGate('browser test'));

describe.runIf(gate === 'fail')('the browser test needs chromium and Redis', () => {
  it(`${CHROMIUM} and Redis at 127.0.0.1:6379 are available (required when CI is set)`, () => {
    throw new Error(hasChromium ? 'Redis is not reachable at 127.0.0.1:6379' : `${CHROMIUM} is missing`);
  });
});

describe.runIf(gate === 'run')('express-session-redis in chromium', () => {
  let app: Awaited<ReturnType<typeof startApp>>;
  let context: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    app = await startApp();
    profile = mkdtempSync(join(tmpdir(), 'portcullis-chromium-'));
    // A fresh user-data-dir per run: no state from an earlier session.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS],
    });
  }, 30_000);

  afterAll(async () => {
    await context?.close();
    await app?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('fills the login form, follows the redirect to the guarded page, logs out, and is refused afterwards', async () => {
    const page = context.pages()[0] ?? (await context.newPage());

    // The guarded page sends the browser to the login form, keeping where it wanted to go.
    const first = await page.goto(`${app.url}/account?tab=1`);
    expect(first?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/account?tab=1');

    // A wrong password first: 401 and still no session cookie.
    await page.fill('input[name=username]', ACCOUNT.username);
    await page.fill('input[name=password]', 'wrong password');
    const [refused] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(refused?.status()).toBe(401);
    expect((await context.cookies()).filter((c) => c.name === 'id')).toEqual([]);

    // The right password: 303 back to /account?tab=1 with the session cookie.
    await page.fill('input[name=username]', ACCOUNT.username);
    await page.fill('input[name=password]', ACCOUNT.password);
    await Promise.all([page.waitForURL(`${app.url}/account?tab=1`), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Hello, demo');
    const cookies = (await context.cookies()).filter((c) => c.name === 'id');
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(await app.keys()).toHaveLength(1);

    // Log out with the page's own form (same-origin POST with the CSRF token).
    await Promise.all([page.waitForURL(`${app.url}/login`), page.click('form[action="/logout"] button')]);
    expect((await context.cookies()).filter((c) => c.name === 'id')).toEqual([]);
    expect(await app.keys()).toHaveLength(0);

    // The guarded page is refused: back to the login form.
    await page.goto(`${app.url}/account`);
    expect(new URL(page.url()).pathname).toBe('/login');

    // Replaying the old cookie does not help either: the session is gone from Redis.
    await context.addCookies([{ ...(cookies[0] as (typeof cookies)[number]) }]);
    await page.goto(`${app.url}/account`);
    expect(new URL(page.url()).pathname).toBe('/login');
  }, 60_000);
});
