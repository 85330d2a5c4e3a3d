// The Hono app of a conformance scenario inside Bun: the entry that
// test-support/runtimes.ts bundles with the scenarios (runtime-host.ts serves it
// with Bun.serve, one port per scenario). hono/bun's websocket helper needs
// Bun.serve's `websocket` handlers, which the host passes on.
import type { AppSpec } from '@portcullis/conformance';
import type { AuthEnv } from '@portcullis/hono';
import { Hono } from 'hono';
import { createBunWebSocket } from 'hono/bun';
import type { RuntimeApp } from '../../../../test-support/runtimes.js';
import { mountSpec, type SpecUpgradeWebSocket } from '../spec-app.js';
import { headAsGet } from './head.js';

/** The spec's app on Hono, with hono/bun's websocket helper; `HEAD` as {@link headAsGet} says. */
export function createRuntimeApp(spec: AppSpec): RuntimeApp {
  const { upgradeWebSocket, websocket } = createBunWebSocket();
  const app = mountSpec(new Hono<AuthEnv>(), spec, { upgradeWebSocket: upgradeWebSocket as SpecUpgradeWebSocket });
  return { fetch: headAsGet((request, server) => app.fetch(request, server)), websocket };
}
