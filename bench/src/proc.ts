import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The compiled script next to this one (`server.js`, `driver.js`, …). */
export const script = (name: string): string => fileURLToPath(new URL(`./${name}`, import.meta.url));

const children = new Set<ChildProcess>();

/** Ends every process this bench started (by pid), e.g. on SIGINT. */
export function killAll(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
}

let installed = false;
function installExitHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

export interface SpawnOptions {
  /** Pin to this CPU with `taskset -c`. */
  readonly cpu?: number;
  /** Flags for node itself (`--expose-gc`, `--cpu-prof`). */
  readonly nodeArgs?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * A node child with an IPC channel, optionally pinned to one core. `taskset` execs
 * node in place, so the pid (and `/proc/<pid>`) is node's, and the IPC descriptor is
 * inherited through the exec.
 */
export class Child {
  readonly process: ChildProcess;
  #nextId = 1;
  readonly #waiting = new Map<string, { resolve: (m: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  #exited: Error | undefined;

  constructor(file: string, args: readonly string[], options: SpawnOptions = {}) {
    installExitHandlers();
    const node = [...(options.nodeArgs ?? []), file, ...args];
    const [command, argv] =
      options.cpu === undefined ? [process.execPath, node] : ['taskset', ['-c', String(options.cpu), process.execPath, ...node]];
    this.process = spawn(command, argv, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: options.env ?? process.env });
    children.add(this.process);
    this.process.on('message', (m: Record<string, unknown>) => {
      const key = typeof m.id === 'number' ? `${String(m.type)}#${m.id}` : String(m.type);
      const waiter = this.#waiting.get(key);
      if (m.type === 'error' && waiter === undefined) {
        this.#fail(new Error(String(m.message)));
        return;
      }
      if (waiter === undefined) return;
      this.#waiting.delete(key);
      waiter.resolve(m);
    });
    this.process.on('exit', (code, signal) => {
      children.delete(this.process);
      this.#fail(new Error(`${file.replace(/.*\//, '')} ${args.join(' ')} exited (${signal ?? code})`));
    });
    this.process.on('error', (e) => this.#fail(e));
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  #fail(error: Error): void {
    this.#exited ??= error;
    for (const [key, waiter] of this.#waiting) {
      this.#waiting.delete(key);
      waiter.reject(error);
    }
  }

  #wait(key: string, timeoutMs: number): Promise<Record<string, unknown>> {
    if (this.#exited) return Promise.reject(this.#exited);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(key);
        reject(new Error(`no ${key} from ${this.pid} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiting.set(key, {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  /** Waits for an unsolicited message of this type (`ready`). */
  waitFor(type: string, timeoutMs: number): Promise<Record<string, unknown>> {
    return this.#wait(type, timeoutMs);
  }

  /** Sends `{ type, id, ...payload }` and waits for the reply with the same type and id. */
  request(type: string, payload: object, timeoutMs: number): Promise<Record<string, unknown>> {
    const id = this.#nextId++;
    const reply = this.#wait(`${type}#${id}`, timeoutMs);
    this.process.send({ ...payload, type, id });
    return reply;
  }

  /** Asks the child to exit, and kills it if it has not within `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    const p = this.process;
    if (p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    try {
      p.send({ type: 'stop' });
    } catch {
      // The channel is already gone.
    }
    const timer = setTimeout(() => p.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
