// What every consumer app shares: listen on 127.0.0.1 (PORT, or any free port) and
// print the port it got, which the consumer test reads from stdout.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Prints `LISTENING <port>` once `server` listens. */
export function announce(server: Server): void {
  server.once('listening', () => {
    console.log(`LISTENING ${(server.address() as AddressInfo).port}`);
  });
}

/** The port to listen on: `PORT`, or 0 (any free port). */
export const port = Number(process.env.PORT ?? '0');
