/**
 * A password backend for the adapters' login-form tests: one account (`alice` /
 * `alicepwd`, cheap PBKDF2) behind a login throttle that lets an address fail twice.
 */
import { MemoryThrottleStore, SimpleUser, loginThrottle, passwordBackend, type PasswordBackend } from '@portcullis/core';
import { pbkdf2Hasher } from '@portcullis/core/hashing';

const hasher = pbkdf2Hasher({ iterations: 1_000 }); // tests only

export async function throttledPasswords(): Promise<PasswordBackend<SimpleUser>> {
  const hash = await hasher.hash('alicepwd');
  return passwordBackend<SimpleUser>({
    findUser: (name) => (name === 'alice' ? new SimpleUser('alice') : null),
    passwordHashOf: () => hash,
    hasher,
    throttle: loginThrottle({ store: new MemoryThrottleStore(), accountAllowance: 100, addressAllowance: 2 }),
  });
}
