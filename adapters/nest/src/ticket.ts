import { ANONYMOUS, NO_CREDENTIALS, type WebSocketTickets } from '@portcullis/core';
import type { Principal } from './decorators.js';
import { sendDescription, states, toConnection, type PlatformRequest } from './native.js';

/**
 * The ticket endpoint of websocket tickets (`webSocketTickets` of `@portcullis/core`)
 * for a controller method on either platform: 200 `{ ticket, expires_in }`
 * (`Cache-Control: no-store`) to an authenticated same-origin `POST`, 401 to an
 * anonymous request, 403 to a cross-site page, 405 to other methods. Make the route
 * `@Public()` in `required` mode, or the global guard answers anonymous requests first.
 *
 * @example
 * ```ts
 * const issue = ticketEndpoint(webSocketTickets({ store: new MemoryTicketStore() }));
 * @Controller()
 * class Tickets {
 *   @Post('ws-ticket')
 *   ticket(@Req() req: PlatformRequest, @Res() res: unknown) { return issue(req, res); }
 * }
 * ```
 */
export function ticketEndpoint(tickets: WebSocketTickets): (req: PlatformRequest, res: unknown) => Promise<void> {
  return async (req, res) => {
    const { user, auth } = req as PlatformRequest & Partial<Principal>;
    const principal = user === undefined || auth === undefined ? { user: ANONYMOUS, auth: NO_CREDENTIALS } : { user, auth };
    sendDescription(res, await tickets.respond(states.connection(req) ?? toConnection(req, Date.now), principal, states.challenges(req)));
  };
}
