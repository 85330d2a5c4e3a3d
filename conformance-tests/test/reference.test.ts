import { runConformance } from '@portcullis/conformance';
import { createReferenceServer } from '@portcullis/conformance/reference';

runConformance({ name: 'reference', supports: { websocket: true, sessions: true }, createApp: createReferenceServer });

import type { AddressInfo } from 'node:net';
import { rawRequest } from '@portcullis/conformance';
import { fuzzApp } from '@portcullis/conformance/fuzz';
import { describe, expect, it } from 'vitest';

describe('reference adapter: request targets', () => {
  it('a target starting with // is a path, not a host: Portcullis decides, as on every adapter (found by the fuzzer)', async () => {
    const server = createReferenceServer(fuzzApp());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const duplicate = await rawRequest(port, ['GET //guarded%3F HTTP/1.1', 'Host: app.example', 'X-API-Key: a', 'x-api-key: b']);
      expect(duplicate.status).toBe(400);
      expect(duplicate.header('cache-control')).toBe('no-store');
      const anonymous = await rawRequest(port, ['GET //open HTTP/1.1', 'Host: app.example']);
      expect(anonymous.status).toBe(404);
    } finally {
      server.close();
    }
  });
});
