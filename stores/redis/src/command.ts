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
