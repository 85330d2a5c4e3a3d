import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The machine is shared (other people's test runs land on the same two cores), so
 * the bench watches how much CPU goes to processes that are not its own: from
 * `/proc/stat`, total busy time minus the server's and the load generator's.
 */

const TICK_US = 10_000; // USER_HZ = 100 on Linux

/** Busy CPU time of the whole machine so far, µs (0 where /proc/stat is missing). */
export function machineBusyMicros(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal
    const busy = (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0);
    return busy * TICK_US;
  } catch {
    return 0;
  }
}

/** Foreign CPU use over `ms`, in % of one core, while the bench itself is idle. */
export async function foreignLoad(ms: number): Promise<number> {
  const t0 = performance.now();
  const b0 = machineBusyMicros();
  await sleep(ms);
  const busy = machineBusyMicros() - b0;
  return (busy / ((performance.now() - t0) * 1000)) * 100;
}

/** Above this much foreign CPU (% of one core) a run is considered disturbed. */
export const NOISY_PCT = 20;

/**
 * Time the whole bench may spend on a busy machine: waiting for quiet, and extra
 * rounds that replace disturbed ones. Set once from the plan; never exceeded, so the
 * total stays bounded.
 */
let slackMs = 0;

export function setSlack(ms: number): void {
  slackMs = ms;
}

/** Takes `ms` of slack if that much is left. */
export function takeSlack(ms: number): boolean {
  if (slackMs < ms) return false;
  slackMs -= ms;
  return true;
}

/**
 * Waits, briefly and boundedly, for the machine to be quiet before measuring: at
 * most `maxMs` here, and only while slack is left. Returns the last foreign load seen.
 */
export async function waitForQuiet(maxMs: number): Promise<number> {
  const start = performance.now();
  let load = await foreignLoad(300);
  while (load > NOISY_PCT && performance.now() - start < maxMs && takeSlack(1_000)) load = await foreignLoad(1_000);
  return load;
}
