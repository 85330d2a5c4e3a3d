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
