// Koa 3 + password hashers: Basic against a user table holding a legacy bcrypt hash,
// verified through `defaultHasher()` (argon2id first) and upgraded on the first login.
import Koa from 'koa';
import { SimpleUser, passwordBackend } from '@portcullis/core';
import { bcryptHasher, defaultHasher } from '@portcullis/hashers';
import { authentication, requires, type AuthState } from '@portcullis/koa';
import { announce, port } from './listen.js';

class Member extends SimpleUser {
  constructor(
    username: string,
    public passwordHash: string,
  ) {
    super(username);
  }
}

const hasher = defaultHasher();
const members = new Map([['erin', new Member('erin', await bcryptHasher({ cost: 10 }).hash('s3cret passphrase'))]]);

const app = new Koa<AuthState<Member>>();
app.use(
  authentication({
    backend: passwordBackend<Member>({
      realm: 'consumer',
      findUser: (username) => members.get(username) ?? null,
      passwordHashOf: (member) => member.passwordHash,
      hasher,
      onRehash: (member, hash) => {
        member.passwordHash = hash;
      },
    }),
  }),
);
const guard = requires('authenticated', { status: 401 });
app.use(async (ctx, next) => (ctx.path === '/me' ? guard(ctx, next) : next()));
app.use((ctx) => {
  const user = ctx.state.user;
  ctx.body = user instanceof Member ? { user: user.displayName, hash: user.passwordHash.split('$')[1] } : { user: null };
});
announce(app.listen(port, '127.0.0.1'));
