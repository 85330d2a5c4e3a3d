import { request } from 'node:http';
import type { Probe } from './config.js';

export interface Answer {
  readonly status: number;
  readonly body: string;
}

/** One GET to 127.0.0.1 without keep-alive, bounded in time. */
export function get(port: number, path: string, headers: Readonly<Record<string, string>>, timeoutMs = 5_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Sends every probe; returns what went wrong (empty when the configuration answers
 * valid credentials with 200 and the user's name, and invalid or missing ones with 401).
 */
export async function checkProbes(port: number, probes: readonly Probe[]): Promise<string[]> {
  const failures: string[] = [];
  for (const probe of probes) {
    try {
      const answer = await get(port, '/', probe.headers);
      if (answer.status !== probe.status) failures.push(`${probe.label}: expected ${probe.status}, got ${answer.status}`);
      else if (probe.body !== undefined && answer.body !== probe.body) {
        failures.push(`${probe.label}: expected body ${JSON.stringify(probe.body)}, got ${JSON.stringify(answer.body.slice(0, 80))}`);
      }
    } catch (error) {
      failures.push(`${probe.label}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return failures;
}
