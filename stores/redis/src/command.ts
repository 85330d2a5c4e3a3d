import { ConfigurationError } from '@portcullis/core';

/** The node-redis client as every store of this package uses it. */
interface CommandClient {
  readonly isReady: boolean;
  sendCommand(args: ReadonlyArray<string>): Promise<unknown>;
}

/** The options every store of this package takes: a client, a key prefix, a command timeout. */
interface StoreOptions<C extends CommandClient> {
  readonly client: C;
  readonly prefix?: string;
  readonly timeoutMs?: number;
}

/** The checked options of a store: `who` names it in the `ConfigurationError`. */
export function checkStoreOptions<C extends CommandClient>(
  options: StoreOptions<C>,
  who: string,
  defaults: { readonly prefix: string; readonly timeoutMs: number },
): { readonly client: C; readonly prefix: string; readonly timeoutMs: number } {
  if (options === null || typeof options !== 'object') throw new ConfigurationError(`${who}: options are required`);
  const { client } = options;
  if (client === null || typeof client !== 'object' || typeof client.sendCommand !== 'function') {
    throw new ConfigurationError(`${who}: client must be a node-redis client`);
  }
  const prefix = options.prefix ?? defaults.prefix;
  if (typeof prefix !== 'string' || /[\u0000-\u001f\u007f\s]/.test(prefix)) {
    throw new ConfigurationError(`${who}: prefix must be a string without spaces or control characters`);
  }
  const timeoutMs = options.timeoutMs ?? defaults.timeoutMs;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 60_000) {
    throw new ConfigurationError(`${who}: timeoutMs must be an integer from 1 to 60000`);
  }
  return { client, prefix, timeoutMs };
}

/**
 * Sends one command, failing at once while the client is not ready and after
 * `timeoutMs` when Redis does not answer: what makes the stores fail closed.
 */
export async function sendWithin(client: CommandClient, args: string[], timeoutMs: number, who: string): Promise<unknown> {
  if (client.isReady === false) throw new Error(`${who}: Redis is not connected`);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${who}: Redis did not answer in time`)), timeoutMs);
  });
  try {
    return await Promise.race([client.sendCommand(args), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
