import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors.js';
import { boundedHasher, hashingBound } from './bounded.js';
import { HashingError, isHashingError } from './errors.js';
import type { Hasher } from './hasher.js';
import { slowHasher } from '../../../test-support/slow-hasher.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('hashingBound and boundedHasher', () => {
  it('THR-16 at most `concurrency` compute, `queue` wait, the rest are refused at once without calling the hasher', async () => {
    const slow = slowHasher();
    const bound = hashingBound({ concurrency: 2, queue: 4 });
    const hasher = boundedHasher(slow.hasher, bound);
    const settled: string[] = [];
    const all = Array.from({ length: 20 }, (_, i) =>
      hasher.verify(`p${i}`, `slow$p${i}`).then(
        () => settled.push(`ok${i}`),
        (error: unknown) => settled.push(isHashingError(error) && error.code === 'hasher_busy' ? `busy${i}` : `other${i}`),
      ),
    );
    await tick();
    // Refused before anything finished computing: 14 answers are in, the hasher saw 2 calls.
    expect(settled).toEqual(Array.from({ length: 14 }, (_, i) => `busy${i + 6}`));
    expect(slow.calls).toBe(2);
    expect([bound.active, bound.waiting]).toEqual([2, 4]);
    while (bound.active > 0) {
      slow.release();
      await tick();
    }
    await Promise.all(all);
    // First in, first out; never more than two at once.
    expect(settled.slice(14)).toEqual(['ok0', 'ok1', 'ok2', 'ok3', 'ok4', 'ok5']);
    expect(slow.calls).toBe(6);
    expect(slow.maxInFlight).toBe(2);
    expect([bound.active, bound.waiting]).toEqual([0, 0]);
  });

  it('THR-16 a slot is given back when the hasher rejects or throws, and the next in line starts', async () => {
    const failing: Hasher = {
      id: 'failing',
      identifies: () => true,
      hash: () => Promise.reject(new Error('kdf broke')),
      verify: () => {
        throw new Error('thrown synchronously');
      },
    };
    const bound = hashingBound({ concurrency: 1, queue: 1 });
    const hasher = boundedHasher(failing, bound);
    await expect(Promise.all([hasher.hash('a'), hasher.verify('b', 'c')])).rejects.toThrow('kdf broke');
    await expect(hasher.verify('b', 'c')).rejects.toThrow('thrown synchronously');
    expect([bound.active, bound.waiting]).toEqual([0, 0]);
  });

  it('THR-16 hashers given one bound share its slots; queue 0 refuses whatever finds no free slot', async () => {
    const a = slowHasher();
    const b = slowHasher();
    const bound = hashingBound({ concurrency: 1, queue: 0 });
    const first = boundedHasher(a.hasher, bound).hash('x');
    await expect(boundedHasher(b.hasher, bound).hash('y')).rejects.toMatchObject({ name: 'HashingError', code: 'hasher_busy' });
    expect(b.calls).toBe(0);
    a.release();
    expect(await first).toBe('slow$x');
  });

  it('THR-16 a task still waiting after maxWaitMs is refused and never computed; the queue frees its place', async () => {
    const slow = slowHasher();
    const bound = hashingBound({ concurrency: 1, queue: 2, maxWaitMs: 30 });
    const hasher = boundedHasher(slow.hasher, bound);
    const held = hasher.hash('a');
    const waited = hasher.hash('b').catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(isHashingError(await waited) && (await waited as { code: string }).code).toBe('hasher_busy');
    expect(bound.waiting).toBe(0);
    const next = hasher.hash('c');
    expect(bound.waiting).toBe(1);
    slow.release();
    expect(await held).toBe('slow$a');
    await tick();
    slow.release();
    expect(await next).toBe('slow$c');
    expect(slow.calls).toBe(2); // 'b' never computed
  });

  it('THR-16 a waiter that timed out is released at once, even while every slot hangs (memory bounded)', async () => {
    const bound = hashingBound({ concurrency: 1, queue: 4, maxWaitMs: 1 });
    void bound.run(() => new Promise<never>(() => {})); // hangs for good: release() never comes
    // The task (and what it holds: a password) is created and queued out of this scope.
    // Only the code is kept: an error's unformatted stack would hold the timer's closure.
    const queue = (): [WeakRef<object>, Promise<unknown>] => {
      const task = async (): Promise<string> => 'never';
      return [new WeakRef(task), bound.run(task).catch((error: unknown) => isHashingError(error) && error.code)];
    };
    const [expired, refused] = queue();
    expect(await refused).toBe('hasher_busy');
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    for (let i = 0; i < 5 && expired.deref() !== undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      gc();
    }
    expect(expired.deref()).toBeUndefined(); // the bound no longer holds the refused task
    expect(bound.waiting).toBe(0);
  });

  it('THR-16 a refusal is a hasher_busy HashingError without a captured stack (a flood makes thousands a second); the stack limit is restored', async () => {
    const slow = slowHasher();
    const bound = hashingBound({ concurrency: 1, queue: 1, maxWaitMs: 20 });
    const hasher = boundedHasher(slow.hasher, bound);
    const held = hasher.verify('a', 'slow$a');
    const timedOut = hasher.verify('b', 'slow$b').catch((error: unknown) => error);
    const full = await hasher.verify('c', 'slow$c').catch((error: unknown) => error);
    const late = await timedOut;
    const limit = Error.stackTraceLimit;
    for (const error of [full, late]) {
      expect(error).toBeInstanceOf(HashingError);
      expect(error).toMatchObject({ code: 'hasher_busy' });
      // V8 formats the stack as the name and message, then one "    at …" line per frame.
      expect((error as Error).stack).not.toMatch(/\n\s+at /);
    }
    expect(Error.stackTraceLimit).toBe(limit);
    // Other errors keep their stacks.
    expect(new HashingError('hash_failed').stack).toMatch(/\n\s+at /);
    slow.release();
    await held;
  });

  it('keeps the hasher\'s id, identifies, maxPasswordBytes and sync variants (unbounded: they run on the caller\'s thread)', () => {
    const slow = slowHasher();
    const hasher = boundedHasher(slow.hasher, { concurrency: 1 });
    expect(hasher).toMatchObject({ id: 'slow', maxPasswordBytes: 64 });
    expect(hasher.identifies('slow$x')).toBe(true);
    expect(hasher.verifySync?.('x', 'slow$x')).toEqual({ ok: true, needsRehash: false });
    expect(hasher.hashSync).toBeUndefined();
    expect(Object.isFrozen(hasher)).toBe(true);
  });

  it('the queue defaults to four times the concurrency, the longest wait to 2 s', () => {
    expect(hashingBound({ concurrency: 3 })).toMatchObject({ concurrency: 3, queue: 12, maxWaitMs: 2000 });
  });

  it('unusable options throw a ConfigurationError at construction', () => {
    for (const options of [{ concurrency: 0 }, { concurrency: 1.5 }, { concurrency: 2, queue: -1 }, { concurrency: 2, maxWaitMs: -1 }, { concurrency: 2, maxWaitMs: 1.5 }, { concurrency: '4' }, null]) {
      expect(() => hashingBound(options as never)).toThrow(ConfigurationError);
    }
    expect(() => boundedHasher({} as Hasher, { concurrency: 1 })).toThrow(ConfigurationError);
    expect(() => boundedHasher(slowHasher().hasher, 4 as never)).toThrow(ConfigurationError);
  });
});
