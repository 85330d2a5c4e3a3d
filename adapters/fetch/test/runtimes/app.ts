// @portcullis/fetch's app of a conformance scenario inside Bun or Deno: the entry
// that test-support/runtimes.ts bundles with the scenarios (runtime-host.ts serves
// it with Bun.serve or Deno.serve, one port per scenario). The reference spec app
// is this adapter (conformance-tests/src/reference.ts).
import type { AppSpec } from '@portcullis/conformance';
import { referenceApp } from '@portcullis/conformance/reference';
import type { RuntimeApp } from '../../../../test-support/runtimes.js';

/** The spec's app on @portcullis/fetch. */
export function createRuntimeApp(spec: AppSpec): RuntimeApp {
  const app = referenceApp(spec);
  // Bun's server or Deno's info after the request: where withAuth reads the peer address.
  return { fetch: (request, server) => app(request, server) };
}
