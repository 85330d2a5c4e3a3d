// Deno: `deno run --allow-net --allow-env --allow-read dist/deno.js` (PORT, default 3000).
import { createApp, DEMO_USERS } from './app.js';

/** What this file uses of Deno's global (no Deno types needed). */
declare const Deno: {
  readonly env: { get(name: string): string | undefined };
  serve(
    options: { port: number; hostname: string; onListen?: (address: { port: number }) => void },
    handler: (request: Request) => Promise<Response>,
  ): unknown;
};

// #region deno
Deno.serve(
  { port: Number(Deno.env.get('PORT') ?? 3000), hostname: '127.0.0.1', onListen: ({ port }) => console.log(`listening on http://127.0.0.1:${port}`) },
  createApp(DEMO_USERS),
);
// #endregion deno
