import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { argon2idHasher } from '../src/argon2.js';

describe('the event loop stays free while hashing', () => {
  it('DOS-10 50 concurrent argon2id verifications at the defaults keep the event-loop delay p99 under 100 ms', async () => {
    // OWASP defaults: the cost being tested. Unbounded: all 50 compute (the default bound would refuse 30, THR-16).
    const hasher = argon2idHasher({ bound: false });
    const stored = await hasher.hash('correct horse battery staple');
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    const started = performance.now();
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) => hasher.verify(i % 2 === 0 ? 'correct horse battery staple' : 'wrong', stored)),
    );
    const elapsed = performance.now() - started;
    histogram.disable();
    expect(outcomes.filter((o) => o.ok)).toHaveLength(25);
    const p99 = histogram.percentile(99) / 1e6;
    const max = histogram.max / 1e6;
    console.info(`50 argon2id verifications: ${elapsed.toFixed(0)} ms; event-loop delay p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms`);
    expect(histogram.count).toBeGreaterThan(0);
    expect(p99).toBeLessThan(100);
  });

  it('DOS-10 control: the same measurement catches a blocked loop (the sync variant, which the docs say not to use in servers)', async () => {
    const hasher = argon2idHasher();
    const stored = await hasher.hash('correct horse battery staple');
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    await new Promise((resolve) => setTimeout(resolve, 30));
    const until = performance.now() + 150;
    while (performance.now() < until) hasher.verifySync?.('wrong', stored);
    await new Promise((resolve) => setTimeout(resolve, 30));
    histogram.disable();
    expect(histogram.max / 1e6).toBeGreaterThan(100);
  });
});
