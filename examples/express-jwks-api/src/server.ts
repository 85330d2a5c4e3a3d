import { exitWith, listenAddress, listening } from '@portcullis/example-startup';
import { createApp } from './app.js';

// The identity provider: its JWK Set, its issuer, and this API's audience. No defaults:
// an API that guessed them would trust the wrong tokens.
const jwksUrl = process.env.JWKS_URL;
const issuer = process.env.JWT_ISSUER;
const audience = process.env.JWT_AUDIENCE;
if (!jwksUrl || !issuer || !audience) {
  exitWith('Set JWKS_URL, JWT_ISSUER and JWT_AUDIENCE (your identity provider\'s JWK Set URL, its issuer, and this API\'s audience)');
}
// The one algorithm the provider signs with (pinned). Anything else is a typo, never a silent RS256.
const ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
const algorithm = process.env.JWT_ALGORITHM || 'RS256';
if (!(ALGORITHMS as readonly string[]).includes(algorithm)) {
  exitWith(`JWT_ALGORITHM must be one of ${ALGORITHMS.join(', ')} (the algorithm your identity provider signs with), or unset for RS256`);
}
const algorithms = [algorithm as (typeof ALGORITHMS)[number]];

// PORT (0–65535, default 3000) and HOST (default 127.0.0.1); a bad value exits 1.
const address = listenAddress();
let app;
try {
  app = createApp({ jwksUrl, issuer, audience, algorithms });
} catch (error) {
  exitWith('The identity provider settings are not valid', error);
}
const server = app.listen(address.port, address.host);
const url = await listening(server, address);
console.log(`Portcullis demo (Express + JWKS) on ${url}, trusting ${issuer}`);
console.log(`Try:  curl -i -H "Authorization: Bearer <access token>" ${url}/me`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
