/**
 * JWT cold verification in one process (issue #17 item 3): 10,000 distinct HS256
 * tokens, each verified once per round, by every contender in turn, rounds
 * interleaved (A B C D A B C D …) so a busy machine disturbs all of them alike.
 * Reported: the median over rounds of CPU time per token (`process.cpuUsage`, which
 * also counts Web Crypto's thread-pool work) and of wall time per token.
 *
 *   npm run build && npx tsc -p bench/tsconfig.json && node bench/dist/experiments/jwt-cold.js [rounds]
 *
 * For instruction counts, which a busy machine does not disturb: `count <k>` runs only
 * contender k (0–3; `none`: the setup alone) once over the pool, under callgrind:
 *
 *   valgrind --tool=callgrind --callgrind-out-file=/dev/null node bench/dist/experiments/jwt-cold.js count 0
 *
 * and (the "Collected" total of k) − (that of `none`), ÷ 10,000, is instructions per token.
 * `count <k> <passes>` runs the pool `passes` times, for a JS-level profile of one contender:
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/dist/experiments/jwt-cold.js count 0 30
 *
 * Contenders: Portcullis as it is now (the secret as bytes: the synchronous HS256 path),
 * Portcullis before it (the same backend with the secret as a `CryptoKey`, which goes
 * through jose and `crypto.subtle.verify` as every token did before), fast-jwt (what
 * `@fastify/jwt` verifies with; synchronous `node:crypto`), and `hono/jwt`'s `verify`
 * (Web Crypto). Every contender checks HS256, issuer and audience (Portcullis and
 * hono/jwt `typ` too); Portcullis also builds the principal (`authenticate`, as a
 * request does).
 */
import type { AuthenticationBackend, BaseUser, Connection } from '@portcullis/core';
import { JWT_AUDIENCE, JWT_ISSUER, JWT_SECRET, jwtColdPool } from '../credentials.js';

type Verify = (token: string, connection: Connection) => unknown;

async function portcullis(secret: Uint8Array | CryptoKey): Promise<AuthenticationBackend<BaseUser>> {
  const { jwtAuth } = await import('@portcullis/jwt');
  const { SimpleUser } = await import('@portcullis/core');
  return jwtAuth({
    algorithms: ['HS256'],
    secret,
    issuer: JWT_ISSUER,
    audience: JWT_AUDIENCE,
    retrieveUser: (token) => new SimpleUser(token.sub),
    cache: false,
  });
}

async function contenders(): Promise<Array<[string, Verify]>> {
  const bytes = new TextEncoder().encode(JWT_SECRET);
  const key = await crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  const now = await portcullis(bytes);
  const before = await portcullis(key);
  const { createVerifier } = await import('fast-jwt');
  const fast = createVerifier({ key: JWT_SECRET, algorithms: ['HS256'], allowedIss: JWT_ISSUER, allowedAud: JWT_AUDIENCE });
  const { verify: honoVerify } = await import('hono/jwt');
  return [
    ['Portcullis, synchronous HS256 (now)', (_t, c) => now.authenticate(c)],
    ['Portcullis through jose + Web Crypto (before)', (_t, c) => before.authenticate(c)],
    ['fast-jwt (@fastify/jwt)', (t) => fast(t)],
    ['hono/jwt verify', (t) => honoVerify(t, JWT_SECRET, { alg: 'HS256', iss: JWT_ISSUER, aud: JWT_AUDIENCE, typ: 'at+jwt' })],
  ];
}

async function round(verify: Verify, tokens: readonly string[], connections: readonly Connection[]): Promise<{ cpu: number; wall: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < tokens.length; i++) {
    const result = verify(tokens[i] as string, connections[i] as Connection);
    if (result instanceof Promise) await result;
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1000 / tokens.length;
  const used = process.cpuUsage(cpu0);
  return { cpu: (used.user + used.system) / tokens.length, wall };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

async function main(): Promise<void> {
  const { createConnection } = await import('@portcullis/core/adapter');
  const tokens = jwtColdPool();
  const connections = tokens.map((token) =>
    createConnection({ method: 'GET', target: '/', header: (name) => (name === 'authorization' ? `Bearer ${token}` : undefined) }),
  );
  const list = await contenders();
  if (process.argv[2] === 'count') {
    const only = list[Number(process.argv[3])];
    const passes = Number(process.argv[4] ?? 1);
    if (only !== undefined) for (let p = 0; p < passes; p++) await round(only[1], tokens, connections);
    return;
  }
  const rounds = Number(process.argv[2] ?? 7);
  const samples = list.map(() => ({ cpu: [] as number[], wall: [] as number[] }));
  for (const [, verify] of list) await round(verify, tokens.slice(0, 1000), connections.slice(0, 1000)); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < list.length; k++) {
      const { cpu, wall } = await round((list[k] as [string, Verify])[1], tokens, connections);
      (samples[k] as { cpu: number[] }).cpu.push(cpu);
      (samples[k] as { wall: number[] }).wall.push(wall);
    }
  }
  console.log(`${tokens.length} distinct HS256 tokens, ${rounds} interleaved rounds; median µs per token`);
  console.log('| contender | CPU µs | wall µs |\n|---|---:|---:|');
  list.forEach(([name], k) => {
    const s = samples[k] as { cpu: number[]; wall: number[] };
    console.log(`| ${name} | ${median(s.cpu).toFixed(1)} | ${median(s.wall).toFixed(1)} |`);
  });
}

await main();
