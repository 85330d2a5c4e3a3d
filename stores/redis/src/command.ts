import { ConfigurationError } from '@portcullis/core';
import { sendWithin, storeClient, type RedisStoreClient, type StoreClient } from './client.js';

/**
 * Sends one command within `timeoutMs`, failing at once while the client is not
 * ready (the caller's request then fails closed). `who` names the store in the
 * errors; no argument (key, value) ever goes into a message. @internal
 */
export function timedCommand(client: StoreClient, args: string[], timeoutMs: number, who: string): Promise<unknown> {
  return sendWithin(client, args, timeoutMs, (reason) =>
    new Error(reason === 'timeout' ? `${who}: Redis did not answer in time` : `${who}: Redis is not connected`),
  );
}

/**
 * The options every store takes, checked at construction: a client (a single
 * server's or a cluster's, see {@link storeClient}), a key prefix (no spaces or
 * control characters; no braces with `noBraces`, which would break a hash tag), a
 * timeout of 1..60 000 ms (default 1000). @internal
 */
export function storeOptions(
  who: string,
  options: { readonly client: RedisStoreClient; readonly prefix?: string | undefined; readonly timeoutMs?: number | undefined },
  defaults: { readonly prefix: string; readonly noBraces?: boolean },
): { client: StoreClient; prefix: string; timeout: number } {
  if (options === null || typeof options !== 'object') throw new ConfigurationError(`${who}: options are required`);
  const client = storeClient(options.client, who);
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
