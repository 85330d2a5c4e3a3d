/**
 * The `origins` policy of websocket upgrades (WS-10, WS-11) for adapters whose origin
 * check is their own middleware or hook (Hono's and Fastify's `webSocketOrigins`): the
 * same cases as `upgradeHandler`'s, sent byte for byte. One copy for every adapter.
 */
import { basic, rawRequest, upgradeRequest } from '@portcullis/conformance';
import { describe, expect, it } from 'vitest';

/** An app serving `GET /ws` (a websocket for authenticated Basic users) behind `origins: ['https://app.example']`. */
export interface OriginApp {
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  /** How many times the backend verified a credential. */
  readonly verified: { readonly count: number };
}

/**
 * Registers the cases; `serve(allowMissingOrigin)` starts the adapter's app (the suite's
 * caller closes it after each test).
 *
 * @example
 * ```ts
 * webSocketOriginSuite('Hono', (allowMissingOrigin) => serve({ allowMissingOrigin }));
 * ```
 */
export function webSocketOriginSuite(name: string, serve: (allowMissingOrigin: boolean) => Promise<OriginApp>): void {
  const alice = `Authorization: ${basic('alice', 'alicepwd')}`;
  const status = async (app: OriginApp, lines: string[], request = upgradeRequest('/ws', lines)) => (await rawRequest(app.port, request)).status;

  describe(`${name}: webSocketOrigins`, () => {
    it('WS-10 a listed Origin is authenticated and upgraded', async () => {
      const app = await serve(false);
      expect(await status(app, [alice, 'Origin: https://app.example'])).toBe(101);
      expect(app.verified.count).toBe(1);
    });

    it('WS-11 another Origin (null included) or none is refused with 403 before authentication; allowMissingOrigin lets none through', async () => {
      const app = await serve(false);
      for (const origin of ['https://evil.example', 'null', 'http://app.example']) expect(await status(app, [alice, `Origin: ${origin}`])).toBe(403);
      expect(await status(app, [alice])).toBe(403);
      expect(app.verified.count).toBe(0);
      const lenient = await serve(true);
      expect(await status(lenient, [alice])).toBe(101);
      expect(await status(lenient, [alice, 'Origin: https://evil.example'])).toBe(403);
    });

    it('HTTP requests pass whatever their Origin', async () => {
      const app = await serve(false);
      expect(await status(app, [], ['GET /ws HTTP/1.1', 'Host: app.example', 'Origin: https://evil.example', alice])).not.toBe(403);
    });
  });
}
