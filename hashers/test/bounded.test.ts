import { passwordBackend, SimpleUser } from '@portcullis/core';
import { boundedHasher, isHashingError, pbkdf2Hasher, type Hasher, type VerifyOutcome } from '@portcullis/core/hashing';
import { describe, expect, it } from 'vitest';
import { argon2idHasher } from '../src/argon2.js';
import { nodeHashingBound } from '../src/bound.js';
import { defaultHasher } from '../src/default.js';

const PASSWORD = 'correct horse battery staple';
/** One argon2id hash at OWASP's defaults, made unbounded. */
const stored = await argon2idHasher({ bound: false }).hash(PASSWORD);

/** The real argon2id hasher (unbounded) behind a spy: calls, and how many compute at once. */
function spied() {
  const real = argon2idHasher({ bound: false });
  const gauge = { calls: 0, inFlight: 0, maxInFlight: 0, firstDoneAt: Infinity };
  const hasher: Hasher = {
    ...real,
    async verify(password: string, hash: string): Promise<VerifyOutcome> {
      gauge.calls++;
      gauge.maxInFlight = Math.max(gauge.maxInFlight, ++gauge.inFlight);
      try {
        return await real.verify(password, hash);
      } finally {
        gauge.inFlight--;
        gauge.firstDoneAt = Math.min(gauge.firstDoneAt, performance.now());
      }
    },
  };
  return { hasher, gauge };
}

const busy = (error: unknown): boolean => isHashingError(error) && error.code === 'hasher_busy';

describe('bounded argon2id hashing (THR-16)', () => {
  it('THR-16 a flood of 200 verifications, concurrency 2, queue 4: 194 refused at once without hashing, never more than 2 computing', async () => {
    const { hasher: spy, gauge } = spied();
    const hasher = boundedHasher(spy, { concurrency: 2, queue: 4 });
    const refusedAt: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        hasher.verify(i % 2 === 0 ? PASSWORD : 'wrong', stored).then(
          (outcome) => outcome.ok,
          (error: unknown) => {
            refusedAt.push(performance.now());
            return busy(error) ? 'busy' : error;
          },
        ),
      ),
    );
    expect(results.filter((r) => r === 'busy')).toHaveLength(194);
    // The first six got their real answers (first in, first out): three right, three wrong.
    expect(results.slice(0, 6)).toEqual([true, false, true, false, true, false]);
    expect(gauge.calls).toBe(6);
    expect(gauge.maxInFlight).toBe(2);
    // Every refusal was answered before the first argon2id computation finished.
    expect(Math.max(...refusedAt)).toBeLessThan(gauge.firstDoneAt);
  });

  it('THR-16 memory stays bounded: RSS grows by a few hashes\' worth, not 200 × 19 MiB', async () => {
    const hasher = argon2idHasher({ bound: { concurrency: 2, queue: 4 } });
    const before = process.memoryUsage.rss();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
    const results = await Promise.allSettled(Array.from({ length: 200 }, () => hasher.verify(PASSWORD, stored)));
    clearInterval(sampler);
    expect(results.filter((r) => r.status === 'rejected' && busy(r.reason))).toHaveLength(194);
    const grownMiB = (peak - before) / 2 ** 20;
    console.info(`200 argon2id verifications through a bound of 2 + 4: RSS grew ${grownMiB.toFixed(0)} MiB`);
    expect(grownMiB).toBeLessThan(200); // unbounded, 200 at once would need about 3.8 GiB
  });

  it('THR-16 bounded by default: one process-wide bound of libuv\'s pool size, four times that in line, shared by every Node hasher', async () => {
    const bound = nodeHashingBound();
    const pool = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '4', 10);
    expect([bound.concurrency, bound.queue]).toEqual([pool, 4 * pool]);
    // Two hashers made separately still share the one bound: the total is what counts.
    const argon2 = argon2idHasher();
    const all = defaultHasher();
    // A malformed argon2id hash: nothing to compute, so the line drains at once (no 2 s wait limit on a busy machine),
    // but every call still takes its place in the bound.
    const malformed = '$argon2id$v=19$m=19456,t=2,p=1$not-base64';
    const calls = Array.from({ length: 3 * bound.concurrency + 3 * bound.queue }, (_, i) => (i % 2 === 0 ? argon2 : all).verify(PASSWORD, malformed));
    const results = await Promise.allSettled(calls);
    const refused = results.filter((r) => r.status === 'rejected' && busy(r.reason)).length;
    expect(refused).toBe(calls.length - bound.concurrency - bound.queue);
    expect([bound.active, bound.waiting]).toEqual([0, 0]);
  });

  it('THR-16 defaultHasher({ bound }) puts every member, PBKDF2 included, under one bound; bound: false turns it off', async () => {
    const hasher = defaultHasher({ bound: { concurrency: 1, queue: 0 } });
    const pbkdf2Stored = await pbkdf2Hasher().hash(PASSWORD);
    const [argon2, pbkdf2] = await Promise.allSettled([hasher.verify(PASSWORD, stored), hasher.verify(PASSWORD, pbkdf2Stored)]);
    expect(argon2).toEqual({ status: 'fulfilled', value: { ok: true, needsRehash: false } });
    expect(pbkdf2.status === 'rejected' && busy(pbkdf2.reason)).toBe(true);
    const unbounded = defaultHasher({ bound: false });
    const outcomes = await Promise.all(Array.from({ length: 30 }, () => unbounded.verify('wrong', '$argon2id$not-a-hash')));
    expect(outcomes.every((o) => !o.ok)).toBe(true);
  });

  it('THR-16 passwordBackend over the default-bounded argon2id: a login flood gets backend_busy, not a pile of 19 MiB hashes', async () => {
    const alice = new SimpleUser('alice');
    const backend = passwordBackend({
      findUser: (name) => (name === 'alice' ? alice : null),
      passwordHashOf: () => stored,
      hasher: argon2idHasher({ bound: { concurrency: 2, queue: 4 } }),
    });
    await backend.verifyCredentials('nobody', 'warm the dummy hash');
    const results = await Promise.allSettled(
      // Distinct guesses: with `coalesce: true` copies of a login in progress would share its check.
      Array.from({ length: 100 }, (_, i) => backend.verifyCredentials(i % 3 === 0 ? 'mallory' : 'alice', i === 2 ? PASSWORD : `wrong${i}`)),
    );
    const codes = results.map((r) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : 'answered'));
    expect(codes.filter((c) => c === 'backend_busy')).toHaveLength(94);
    expect(codes.filter((c) => c === 'answered')).toHaveLength(6);
  });

  it('bound options are checked at construction', () => {
    expect(() => argon2idHasher({ bound: 4 as never })).toThrow(/bound must be/);
    expect(() => defaultHasher({ bound: { concurrency: 0 } })).toThrow(/concurrency must be/);
  });
});
