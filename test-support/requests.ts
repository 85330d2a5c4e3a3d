/**
 * Web `Request`s the tests of Request → Response adapters send.
 */

/**
 * A same-origin `POST` over HTTPS to `https://app.example<path>`: what passes the session
 * gate's CSRF check (`Origin` and `Sec-Fetch-Site` agree with `Host`). `headers` add to it.
 *
 * @example
 * ```ts
 * await app(sameOriginPost('/login', { authorization: 'Basic …' }));
 * ```
 */
export function sameOriginPost(path: string, headers: Record<string, string> = {}): Request {
  return new Request(`https://app.example${path}`, {
    method: 'POST',
    headers: { host: 'app.example', origin: 'https://app.example', 'sec-fetch-site': 'same-origin', ...headers },
  });
}
