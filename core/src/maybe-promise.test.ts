import { describe, expectTypeOf, it } from 'vitest';
import type { ErrorHook } from './authenticator.js';
import type { AuthenticateResult, AuthenticationBackend, Principal } from './backend.js';
import type { MaybePromise } from './adapter.js';
import type { PasswordBackendOptions } from './password.js';
import type { ResponseDescription } from './response.js';
import type { SessionAuthOptions } from './session/session-auth.js';
import type { TokenStore } from './tokens.js';
import type { SimpleUser } from './user.js';
import type { VerifyResult } from './verify.js';

type U = SimpleUser;

// Type tests: MaybePromise is an alias, so the public types spelled with it mean
// exactly what they meant when `X | Promise<X>` was written out.
describe('MaybePromise', () => {
  it('is a value or a promise of it', () => {
    expectTypeOf<MaybePromise<number>>().toEqualTypeOf<number | Promise<number>>();
    expectTypeOf<MaybePromise<void>>().toEqualTypeOf<void | Promise<void>>();
  });

  it('public types keep their meaning', () => {
    expectTypeOf<VerifyResult<U>>().toEqualTypeOf<U | null | undefined | Promise<U | null | undefined>>();
    expectTypeOf<ReturnType<AuthenticationBackend<U>['authenticate']>>().toEqualTypeOf<AuthenticateResult<U> | Promise<AuthenticateResult<U>>>();
    expectTypeOf<ReturnType<ErrorHook>>().toEqualTypeOf<ResponseDescription | Promise<ResponseDescription>>();
    expectTypeOf<ReturnType<TokenStore<U>['findByDigest']>>().toEqualTypeOf<U | null | undefined | Promise<U | null | undefined>>();
    expectTypeOf<ReturnType<PasswordBackendOptions<U>['findUser']>>().toEqualTypeOf<U | null | undefined | Promise<U | null | undefined>>();
    expectTypeOf<ReturnType<SessionAuthOptions<U>['retrieveUser']>>().toEqualTypeOf<U | null | undefined | Promise<U | null | undefined>>();
    expectTypeOf<MaybePromise<Principal<U>> | null>().toEqualTypeOf<Principal<U> | null | Promise<Principal<U>>>();
  });
});
