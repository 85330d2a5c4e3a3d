import { ConfigurationError } from '@portcullis/core';

/** What the stores need from a Redis client: node-redis's `createClient()` (v4 and later) fits. */
export interface RedisClientLike {
  /** True while the connection is up and commands are answered. */
  readonly isReady: boolean;
  /** Sends one Redis command (node-redis's `sendCommand`). */
  sendCommand(args: ReadonlyArray<string>): Promise<unknown>;
}

/**
 * Sends one command, failing at once while the client is not ready and after
 * `timeoutMs` otherwise (the caller's request then fails closed). `who` names the
 * store in the errors; no argument (key, value) ever goes into a message.
 */
export async function timedCommand(client: RedisClientLike, args: string[], timeoutMs: number, who: string): Promise<unknown> {
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

/** The checked options every command store shares. */
export interface StoreConfig {
  readonly client: RedisClientLike;
  readonly prefix: string;
  readonly timeout: number;
}

/**
 * Checks a store's `client`, `prefix` (no white space or control characters, nor
 * `forbidden`) and `timeoutMs` (1 to 60000, default 1000) at construction; throws a
 * `ConfigurationError` naming `who` and the option.
 */
export function storeConfig(
  options: { readonly client: RedisClientLike; readonly prefix?: string | undefined; readonly timeoutMs?: number | undefined },
  who: string,
  defaultPrefix: string,
  forbidden = '',
): StoreConfig {
  if (options === null || typeof options !== 'object') throw new ConfigurationError(`${who}: options are required`);
  const { client } = options;
  if (client === null || typeof client !== 'object' || typeof client.sendCommand !== 'function') {
    throw new ConfigurationError(`${who}: client must be a node-redis client`);
  }
  const prefix = options.prefix ?? defaultPrefix;
  if (typeof prefix !== 'string' || /[\u0000-\u001f\u007f\s]/.test(prefix) || [...forbidden].some((c) => prefix.includes(c))) {
    throw new ConfigurationError(`${who}: prefix must be a string without spaces${forbidden === '' ? '' : `, ${forbidden}`} or control characters`);
  }
  const timeout = options.timeoutMs ?? 1000;
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 60_000) {
    throw new ConfigurationError(`${who}: timeoutMs must be an integer from 1 to 60000`);
  }
  return { client, prefix, timeout };
}
