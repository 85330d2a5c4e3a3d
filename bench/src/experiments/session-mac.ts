/**
 * The Web sessions' cookie check (issue #17 item 4): HMAC-SHA256 of one session id,
 * with Web Crypto's asynchronous `crypto.subtle.sign` (before) and with the core's
 * synchronous `hmacSha256` (now), 10,000 distinct ids, rounds interleaved in one
 * process; median CPU µs per id (`process.cpuUsage` counts the thread pool too).
 *
 *   npm run build && npx tsc -p bench/tsconfig.json && node bench/dist/experiments/session-mac.js [rounds]
 */
import { SESSION_SECRET } from '../sessions.js';

const CONTEXT = 'portcullis-session\u0000'; // as core/src/session/web-session.ts signs

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 7);
  const { hmacSha256 } = await import('@portcullis/core/adapter');
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', encoder.encode(SESSION_SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = hmacSha256(encoder.encode(SESSION_SECRET));
  const ids = Array.from({ length: 10_000 }, () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url'));
  const contenders: Array<[string, (id: string) => unknown]> = [
    ['Web Crypto crypto.subtle.sign (before)', (id) => crypto.subtle.sign('HMAC', key, encoder.encode(CONTEXT + id))],
    ['core hmacSha256, synchronous (now)', (id) => mac(CONTEXT + id)],
  ];
  const samples = contenders.map(() => [] as number[]);
  for (let r = 0; r <= rounds; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const run = (contenders[k] as [string, (id: string) => unknown])[1];
      const cpu0 = process.cpuUsage();
      for (const id of ids) {
        const result = run(id);
        if (result instanceof Promise) await result;
      }
      const used = process.cpuUsage(cpu0);
      if (r > 0) (samples[k] as number[]).push((used.user + used.system) / ids.length); // round 0 warms up
    }
  }
  console.log(`${ids.length} session ids, ${rounds} interleaved rounds; median CPU µs per id`);
  contenders.forEach(([name], k) => {
    const sorted = [...(samples[k] as number[])].sort((a, b) => a - b);
    console.log(`| ${name} | ${(sorted[Math.floor(sorted.length / 2)] as number).toFixed(2)} |`);
  });
}

await main();
