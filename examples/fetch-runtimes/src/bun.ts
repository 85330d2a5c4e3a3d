// Bun: `bun dist/bun.js` (PORT, default 3000).
import { createApp, DEMO_USERS } from './app.js';

/** What this file uses of Bun's global (no @types/bun needed). */
declare const Bun: {
  readonly env: Record<string, string | undefined>;
  serve(options: { port: number; hostname: string; fetch: (request: Request) => Promise<Response> }): { readonly port: number };
};

// #region bun
const server = Bun.serve({ port: Number(Bun.env.PORT ?? 3000), hostname: '127.0.0.1', fetch: createApp(DEMO_USERS) });
console.log(`listening on http://127.0.0.1:${server.port}`);
// #endregion bun
