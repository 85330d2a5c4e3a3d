import { ConfigurationError } from '@portcullis/core';

/** What the stores need from a Redis client: node-redis's `createClient()` (v4 and later) fits. */
export interface CommandClient {
  /** True while the connection is up and commands are answered. */
  readonly isReady: boolean;
  /** Sends one Redis command (node-redis's `sendCommand`). */
  sendCommand(args: ReadonlyArray<string>): Promise<unknown>;
}

/**
 * Sends one command, failing at once while the client is not ready and after
 * `timeoutMs` when Redis does not answer: the error `unavailable(reason)` makes. @internal
 */
export async function timedCommand(client: CommandClient, args: string[], timeoutMs: number, unavailable: (reason: string) => Error): Promise<unknown> {
  if (client.isReady === false) throw unavailable('Redis is not connected');
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unavailable('Redis did not answer in time')), timeoutMs);
  });
  try {
    return await Promise.race([client.sendCommand(args), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The options every JWT-side store (revocation, refresh tokens) takes, checked:
 * a client, a key prefix (no spaces or control characters; no braces with
 * `noBraces`, which would break a hash tag), a timeout of 1..60 000 ms. @internal
 */
export function storeOptions(
  who: string,
  options: { readonly client: CommandClient; readonly prefix?: string | undefined; readonly timeoutMs?: number | undefined },
  defaults: { readonly prefix: string; readonly noBraces?: boolean },
): { client: CommandClient; prefix: string; timeout: number } {
  if (options === null || typeof options !== 'object') throw new ConfigurationError(`${who}: options are required`);
  const { client } = options;
  if (client === null || typeof client !== 'object' || typeof client.sendCommand !== 'function') {
    throw new ConfigurationError(`${who}: client must be a node-redis client`);
  }
  const prefix = options.prefix ?? defaults.prefix;
  const forbidden = defaults.noBraces === true ? /[\u0000-\u001f\u007f\s{}]/ : /[\u0000-\u001f\u007f\s]/;
  if (typeof prefix !== 'string' || forbidden.test(prefix)) {
    throw new ConfigurationError(`${who}: prefix must be a string without spaces${defaults.noBraces === true ? ', braces' : ''} or control characters`);
  }
  const timeout = options.timeoutMs ?? 1000;
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 60_000) {
    throw new ConfigurationError(`${who}: timeoutMs must be an integer from 1 to 60000`);
  }
  return { client, prefix, timeout };
}
