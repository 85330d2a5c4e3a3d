import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BaseUser, SessionData, SessionOptions } from '@portcullis/core';
import { sessionConfig } from '@portcullis/core/adapter';
import { assertNotProduction } from './guard.js';
import { checkSessionSource, sessionCredential, sessionDataFor, type Credential, type CredentialSource, type LoginOptions, type SessionLoginData } from './login.js';

/**
 * Sends one `POST /` to `listener` on a private server on 127.0.0.1 (an ephemeral
 * port, closed at once) as if it came through a TLS proxy (`X-Forwarded-Proto:
 * https`), and resolves the `Set-Cookie` values of the answer.
 */
async function mintOnce(listener: RequestListener): Promise<string[]> {
  const server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  try {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { 'x-forwarded-proto': 'https', connection: 'close' } });
    await res.arrayBuffer();
    return res.headers.getSetCookie();
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * A session source that logs in through a Node framework's own session middleware
 * (Express, Koa). `build(mintOptions)` gets the app's session options, made to trust
 * the private request's `X-Forwarded-Proto` (so `Secure` cookies are set) and without
 * CSRF check or log, and returns, per login, a request listener that runs the
 * adapter's `login` for the user and reports a failure through `fail`.
 */
export function nodeSessionLogin<U extends BaseUser, O extends SessionOptions>(
  who: string,
  options: O & SessionLoginData<U>,
  build: (mintOptions: O) => (user: U, data: SessionData, fail: (error: unknown) => void) => RequestListener,
): CredentialSource<U> {
  assertNotProduction();
  checkSessionSource(who, options);
  const { data: _data, ...sessionOptions } = options;
  const mintOptions = { ...sessionOptions, trustProxy: true, csrf: false, log: undefined } as unknown as O;
  const { name } = sessionConfig(mintOptions).cookie; // the app's checks, at construction
  const listenerFor = build(mintOptions);
  return Object.freeze({
    async credentialFor(user: U, login: LoginOptions): Promise<Credential> {
      assertNotProduction(); // again per credential: NODE_ENV may have changed since the source was built
      const data = sessionDataFor(who, options, user, login);
      let failure: unknown;
      const setCookies = await mintOnce(listenerFor(user, data, (error) => (failure = error)));
      if (failure !== undefined) throw failure;
      return sessionCredential(who, name, setCookies);
    },
  });
}
