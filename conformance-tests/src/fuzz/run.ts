// Sends generated requests to every adapter over real sockets and checks the
// answers with the oracle (Node: raw sockets, so duplicate lines and TABs reach
// the server as generated).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { rawRequest, type RawResponse } from '../raw.js';
import type { RemoteApp } from '../spec.js';
import { FUZZ_ROUTES } from './app.js';
import { SESSION, TAMPERED_SESSION, describeRequest, hostileRequest, type FuzzRequest } from './arbitraries.js';
import { checkAnswers, normalize, type NormalizedAnswer, type OracleOptions } from './oracle.js';

/** An adapter running the fuzz app, reachable on 127.0.0.1. */
export interface FuzzTarget {
  /** The adapter's name, in reports. */
  readonly name: string;
  /** The port of 127.0.0.1 the fuzz app listens on. */
  readonly port: number;
  /** Its session cookie of `carol` (`name=value`), logged in through `POST /session-login`. */
  readonly session: string;
  /** Stops the app. */
  close(): Promise<void>;
}

/** Swaps the last character of a cookie's value: a forged id or a broken signature. */
function tamper(cookie: string): string {
  const last = cookie.slice(-1);
  return cookie.slice(0, -1) + (last === 'A' ? 'B' : 'A');
}

/**
 * Writes `request` to `port` as generated (the session placeholders replaced by `session`), and reads the answer.
 *
 * @example
 * ```ts
 * const answer = normalize(await sendFuzz(target.port, request, target.session));
 * ```
 */
export function sendFuzz(port: number, request: FuzzRequest, session: string, timeoutMs = 5000): Promise<RawResponse> {
  const fill = (value: string) => value.split(SESSION).join(session).split(TAMPERED_SESSION).join(tamper(session));
  const head = [`${request.method} ${request.target} HTTP/1.1`, 'Host: app.example', ...request.headers.map(([n, v]) => `${n}: ${fill(v)}`)];
  if (request.method !== 'GET' && request.method !== 'HEAD' && request.method !== 'OPTIONS') head.push('Content-Length: 0');
  return rawRequest(port, head, timeoutMs);
}

function isRemote(app: Server | RemoteApp): app is RemoteApp {
  return typeof (app as Partial<RemoteApp>).url === 'string';
}

/**
 * Starts an adapter's app for the fuzzer (listening on 127.0.0.1 unless it
 * already runs elsewhere) and logs `carol` in to get its session cookie.
 *
 * @example
 * ```ts
 * const target = await startFuzzTarget('express', createExpressApp(fuzzApp()));
 * ```
 */
export async function startFuzzTarget(name: string, app: Server | RemoteApp): Promise<FuzzTarget> {
  let port: number;
  let close: () => Promise<void>;
  if (isRemote(app)) {
    port = Number(new URL(app.url).port);
    close = () => app.close();
  } else {
    await new Promise<void>((resolve, reject) => {
      app.once('error', reject);
      app.listen(0, '127.0.0.1', () => resolve());
    });
    port = (app.address() as AddressInfo).port;
    close = async () => {
      app.closeAllConnections?.();
      await new Promise<void>((resolve) => app.close(() => resolve()));
    };
  }
  const res = await rawRequest(port, [`POST ${FUZZ_ROUTES.sessionLogin} HTTP/1.1`, 'Host: app.example', 'Sec-Fetch-Site: same-origin', 'Content-Length: 0']);
  const line = res.headers.find(([n]) => n === 'set-cookie')?.[1];
  if (res.status !== 200 || line === undefined) {
    await close();
    throw new Error(`${name}: POST ${FUZZ_ROUTES.sessionLogin} answered ${res.status} without a session cookie`);
  }
  return { name, port, session: line.split(';')[0] as string, close };
}

/** Options of {@link fuzzAdapters}. */
export interface FuzzOptions extends Pick<OracleOptions, 'headUnchecked'> {
  /** The apps to compare: every request goes to each. */
  readonly targets: readonly FuzzTarget[];
  /** Generated requests (each is sent to every target). */
  readonly runs: number;
  /** The generator's seed: the same seed sends the same requests. */
  readonly seed: number;
  /** Per request and target. Default 5000 ms: a longer wait is a hang. */
  readonly timeoutMs?: number;
}

/**
 * Sends `runs` generated hostile requests to every target and checks each
 * request's answers with {@link checkAnswers}; on a failure fast-check shrinks
 * the request and throws with the seed, the path and the shrunk request.
 *
 * @example
 * ```ts
 * await fuzzAdapters({ targets, runs: 1000, seed: 42 });
 * ```
 */
export async function fuzzAdapters(options: FuzzOptions): Promise<void> {
  const { targets, timeoutMs = 5000 } = options;
  const sessionCookies = targets.map((t) => t.session);
  const property = fc.asyncProperty(hostileRequest, async (request) => {
    const answers = new Map<string, NormalizedAnswer>();
    await Promise.all(
      targets.map(async (t) => {
        let raw: RawResponse;
        try {
          raw = await sendFuzz(t.port, request, t.session, timeoutMs);
        } catch (error) {
          throw new Error(`${t.name}: no answer (${(error as Error).message})\n${describeRequest(request)}`);
        }
        answers.set(t.name, normalize(raw));
      }),
    );
    const problems = checkAnswers(request, answers, { headUnchecked: options.headUnchecked, sessionCookies });
    if (problems.length > 0) throw new Error(`${problems.join('\n')}\n${describeRequest(request)}`);
  });
  await fc.assert(property, { numRuns: options.runs, seed: options.seed, endOnFailure: false, verbose: 1 });
}
