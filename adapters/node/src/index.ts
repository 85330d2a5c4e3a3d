export { authorizationLines, connectionFromNode, isSecureNodeRequest, sessionCookieOf } from './connection.js';
export { attachSessionPort, sessionPortOf } from './session-ports.js';
export type { UpgradeOptions, UpgradePrincipal, WatchedSocket } from './upgrade.js';
export { upgradeHandler, refuse } from './upgrade.js';
