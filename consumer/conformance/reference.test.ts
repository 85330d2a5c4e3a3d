// A framework author's conformance file, as published: the suite run against the
// reference adapter (plain Request/Response on node:http). The consumer test
// type-checks it in a strict project and runs it with the project's own vitest.
import { runConformance, scenarios, type AppSpec } from '@portcullis/conformance';
import { createReferenceServer } from '@portcullis/conformance/reference';
import type { Server } from 'node:http';

function createApp(spec: AppSpec): Server {
  return createReferenceServer(spec);
}

runConformance({ name: 'reference adapter (installed from the tarball)', supports: { websocket: true }, createApp, scenarios });
