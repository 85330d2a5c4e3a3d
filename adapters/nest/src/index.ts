/**
 * `@portcullis/nest`: Portcullis for NestJS on its Express and Fastify platforms.
 *
 * @example
 * ```ts
 * @Module({ imports: [PortcullisModule.forRoot({ backend })], controllers: [AdminController] })
 * class AppModule {}
 * ```
 *
 * @packageDocumentation
 */
export { PortcullisModule } from './module.js';
export { PortcullisGuard } from './guard.js';
export { Requires, Public, User, Auth, ClientAddress } from './decorators.js';
export type { Principal } from './decorators.js';
export { AuthSession, SessionErrorFilter } from './session.js';
export { PORTCULLIS, REQUIRES_KEY, PUBLIC_KEY } from './tokens.js';
export type { Portcullis } from './tokens.js';
export { toConnection, sendDescription } from './native.js';
export { ticketEndpoint } from './ticket.js';
export type { PlatformRequest } from './native.js';
export { upgradeHandler } from '@portcullis/node';
export type { UpgradeOptions, UpgradePrincipal, WatchedSocket } from '@portcullis/node';
