// koa-basic-auth 4 ships no types.
declare module 'koa-basic-auth' {
  import type { Middleware } from 'koa';
  function auth(options: { name?: string; pass?: string; realm?: string }): Middleware;
  export = auth;
}
