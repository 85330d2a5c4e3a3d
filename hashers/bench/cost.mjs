#!/usr/bin/env node
// Cost per hash of each algorithm at its defaults on this machine.
//
//   npx tsc -b tsconfig.build.json && node hashers/bench/cost.mjs [runs]
//
// Runs each operation sequentially (one at a time: this is latency, not throughput),
// after one warm-up, and prints the median and the slowest run in milliseconds.
// Then: how many verifications per second the thread pool sustains with 16 in
// flight (UV_THREADPOOL_SIZE, default 4, caps the native hashers' parallelism).
import { availableParallelism, cpus } from 'node:os';
import {
  argon2idHasher,
  bcryptHasher,
  pbkdf2Hasher,
  scryptHasher,
} from '../dist/index.js';

const runs = Number(process.argv[2] ?? 10);
const password = 'correct horse battery staple';

const cases = [
  ['argon2id m=19456 KiB, t=2, p=1', argon2idHasher()],
  ['scrypt N=2^17, r=8, p=1', scryptHasher()],
  ['bcrypt cost 12', bcryptHasher()],
  ['PBKDF2-SHA256 600,000 (Web Crypto)', pbkdf2Hasher()],
  ['PBKDF2-SHA256 100,000 (the Workers cap)', pbkdf2Hasher({ runtime: 'workers', iterations: 100_000 })],
];

async function time(fn) {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

function summary(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return `${median.toFixed(1).padStart(7)} ${sorted.at(-1).toFixed(1).padStart(7)}`;
}

console.log(`Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${availableParallelism()} threads), UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}, ${runs} runs`);
console.log(`${'algorithm'.padEnd(42)}  hash ms (median / max)   verify ms (median / max)   verify/s (16 in flight)`);
for (const [label, hasher] of cases) {
  const stored = await hasher.hash(password);
  await hasher.verify(password, stored);
  const hashes = [];
  const verifies = [];
  for (let i = 0; i < runs; i++) {
    hashes.push(await time(() => hasher.hash(password)));
    verifies.push(await time(() => hasher.verify(password, stored)));
  }
  const batch = 16;
  const elapsed = await time(() => Promise.all(Array.from({ length: batch }, () => hasher.verify(password, stored))));
  const perSecond = (batch / elapsed) * 1000;
  console.log(`${label.padEnd(42)}  ${summary(hashes)}          ${summary(verifies)}           ${perSecond.toFixed(1).padStart(7)}`);
}
