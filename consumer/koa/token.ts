// Koa 3 + @koa/router + Token: `Authorization: Token <key>` from a static list.
import Koa from 'koa';
import Router from '@koa/router';
import { SimpleUser, staticTokens, tokenAuth } from '@portcullis/core';
import { authentication, requires, type AuthState } from '@portcullis/koa';
import { announce, port } from './listen.js';

const app = new Koa<AuthState<SimpleUser>>();
const router = new Router<AuthState<SimpleUser>>();
app.use(
  authentication({
    backend: tokenAuth({ verify: staticTokens([['bob-token-0123456789abcdef', new SimpleUser('bob')]]) }),
  }),
);
router.get('/', (ctx) => {
  ctx.body = ctx.state.user.isAuthenticated ? `Hello, ${ctx.state.user.displayName}` : 'Hello, you';
});
router.get('/me', requires('authenticated', { status: 401 }), (ctx) => {
  ctx.body = { user: ctx.state.user.displayName, scopes: [...ctx.state.auth.scopes] };
});
app.use(router.routes()).use(router.allowedMethods());
announce(app.listen(port, '127.0.0.1'));
