// The Hono app of a conformance scenario inside Deno: the entry that
// test-support/runtimes.ts bundles with the scenarios (runtime-host.ts serves it
// with Deno.serve, one port per scenario).
import type { AppSpec } from '@portcullis/conformance';
import type { AuthEnv } from '@portcullis/hono';
import { Hono } from 'hono';
import { upgradeWebSocket } from 'hono/deno';
import type { RuntimeApp } from '../../../../test-support/runtimes.js';
import { mountSpec, type SpecUpgradeWebSocket } from '../spec-app.js';
import { headAsGet } from './head.js';

/** The spec's app on Hono, with hono/deno's websocket helper; `HEAD` as {@link headAsGet} says. */
export function createRuntimeApp(spec: AppSpec): RuntimeApp {
  const app = mountSpec(new Hono<AuthEnv>(), spec, { upgradeWebSocket: upgradeWebSocket as SpecUpgradeWebSocket });
  // Deno's info after the request (c.env): where authentication reads the peer address.
  return { fetch: headAsGet((request, info) => app.fetch(request, info)) };
}
