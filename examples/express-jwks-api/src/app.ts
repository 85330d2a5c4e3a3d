import express, { type Express } from 'express';
import { SimpleUser } from '@portcullis/core';
import { authentication, requires } from '@portcullis/express';
import { jwtAuth, tokenOf } from '@portcullis/jwt';

/** Where the identity provider is, and what its tokens must say. */
export interface AppOptions {
  /** The provider's JWK Set (`https://…/.well-known/jwks.json`; `http:` only on loopback). */
  readonly jwksUrl: string;
  /** The `iss` of the provider's tokens, exactly. */
  readonly issuer: string;
  /** This API's identifier: the `aud` its tokens must carry. */
  readonly audience: string;
  /** The algorithms the provider signs with (pinned). Default `['RS256']`. */
  readonly algorithms?: readonly ('RS256' | 'PS256' | 'ES256' | 'EdDSA')[];
  /** The clock (tests freeze it). Default `Date.now`. */
  readonly clock?: () => number;
}

/**
 * A resource server: every route but `/health` needs an access token from the
 * identity provider (`Authorization: Bearer …`), verified with the provider's
 * JWK Set, fetched once and cached. `/orders` needs the `orders:read` scope.
 */
export function createApp(options: AppOptions): Express {
  const clock = options.clock ?? Date.now;
  const backend = jwtAuth({
    algorithms: [...(options.algorithms ?? ['RS256'])],
    jwks: { url: options.jwksUrl },
    issuer: options.issuer,
    audience: options.audience,
    clock,
    // The provider vouches for the user: no local account is needed.
    retrieveUser: (token) => new SimpleUser(token.sub),
  });
  const app = express();
  app.disable('x-powered-by');
  app.use(authentication({ backend, mode: 'required', exclude: ['/health'], clock }));
  app.get('/me', (req, res) => {
    res.json({ user: req.user.displayName, scopes: req.auth.scopes, expiresAt: new Date((tokenOf(req.auth)?.exp ?? 0) * 1000).toISOString() });
  });
  app.get('/orders', requires('orders:read'), (req, res) => {
    res.json({ orders: [{ id: 1, owner: req.user.displayName }] });
  });
  app.get('/health', (_req, res) => {
    res.type('text').send('ok');
  });
  return app;
}
