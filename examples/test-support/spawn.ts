// Running the built examples the way their READMEs do (`node examples/<x>/dist/server.js`
// with environment variables), for the tests of every example. One copy: a helper
// written twice drifts.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The built entry point of an example: `examples/<name>/dist/server.js`. */
export function builtServer(example: string): string {
  const path = fileURLToPath(new URL(`../${example}/dist/server.js`, import.meta.url));
  if (!existsSync(path)) throw new Error(`${path} is missing: build first (npm run build)`);
  return path;
}

/** How a process ended. */
export interface Exited {
  /** The exit status; `null` when it had to be killed (see `timedOut`). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Milliseconds from spawn to exit. */
  readonly ms: number;
  /** True when it was still running after `timeoutMs` and was killed. */
  readonly timedOut: boolean;
}

/**
 * Runs `node <script>` with the test's environment plus `env` (an `undefined`
 * value removes a variable) and waits for it to exit. After `timeoutMs` it is
 * killed (SIGKILL) and reported with `timedOut: true`, so a server that hangs
 * fails the test instead of blocking it.
 */
export function runUntilExit(script: string, env: Record<string, string | undefined>, timeoutMs = 10_000): Promise<Exited> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[name];
    else childEnv[name] = value;
  }
  const started = Date.now();
  const child = spawn(process.execPath, [script], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // 'close', not 'exit': by then stdout and stderr have been read to the end.
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started, timedOut });
    });
  });
}

/** A TCP server on 127.0.0.1 that holds a port (any free one unless `port` is given) until `close()`. */
export async function occupyPort(port = 0): Promise<{ readonly port: number; close(): Promise<void> }> {
  const server: Server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port of 127.0.0.1 where nothing listens (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const held = await occupyPort();
  await held.close();
  return held.port;
}

/** True when the output holds a stack trace (`    at fn (file:line:col)`). */
export function hasStackTrace(output: string): boolean {
  return /^\s+at .+[:(]/m.test(output);
}

/**
 * Stops a spawned server and waits for it to be gone: SIGTERM, then SIGKILL if it
 * is still running after `graceMs`. A process that has already exited is left as it is.
 *
 * @example
 * ```ts
 * afterAll(() => Promise.all([...children].map(stopProcess)));
 * ```
 */
export async function stopProcess(child: ChildProcess, graceMs = 3_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
