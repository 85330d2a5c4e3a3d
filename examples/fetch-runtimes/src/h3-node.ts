// h3 on Node through its own `serve` (srvx): `node dist/h3-node.js` (PORT, default 3000).
import { serve } from 'h3';
import { DEMO_USERS } from './app.js';
import { createH3App } from './h3.js';

/** What this file uses of Node's global (the example compiles without @types/node). */
declare const process: { readonly env: Record<string, string | undefined> };

// #region serve
const server = serve(createH3App(DEMO_USERS), { port: Number(process.env.PORT ?? 3000), hostname: '127.0.0.1', silent: true });
await server.ready();
console.log(`listening on http://127.0.0.1:${server.options.port}`);
// #endregion serve
