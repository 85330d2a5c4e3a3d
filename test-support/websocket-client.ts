/**
 * The browser side of docs/websockets.md, included there (region `browser`) and run
 * in Chromium by the websocket browser suite (test-support/browser-websocket.ts), so
 * the snippet users copy is the code the tests execute.
 */
// #region browser
/** The websocket URL of a path of this page's origin (`wss:` under `https:`). */
function socketUrl(path: string): URL {
  const url = new URL(path, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url;
}

/** Opens the socket with a one-time ticket: the page's session cookie authenticates the POST. */
export async function openWithTicket(path: string): Promise<WebSocket> {
  const answer = await fetch('/ws-ticket', { method: 'POST', credentials: 'same-origin' });
  if (!answer.ok) throw new Error(`no ticket (${answer.status})`);
  const { ticket } = (await answer.json()) as { ticket: string; expires_in: number };
  const url = socketUrl(path);
  url.searchParams.set('ticket', ticket); // redeemed once, within expires_in seconds
  return new WebSocket(url);
}

/** Opens the socket with a bearer token (a JWT) as one element of the protocol list. */
export function openWithToken(path: string, token: string): WebSocket {
  // The server answers with `app.v1`, never with the token element.
  return new WebSocket(socketUrl(path), ['app.v1', `portcullis.bearer.${token}`]);
}

/** 4401: what authenticated the socket ended (sign in again); 4403: no longer allowed. */
export function whenClosed(socket: WebSocket, handlers: { signIn(): void; forbidden(): void }): void {
  socket.addEventListener('close', (event) => {
    if (event.code === 4401) handlers.signIn();
    else if (event.code === 4403) handlers.forbidden();
  });
}
// #endregion browser
