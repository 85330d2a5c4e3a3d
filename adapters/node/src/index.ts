export { authorizationLines, connectionFromNode, isSecureNodeRequest, sessionCookieOf } from './connection.js';
export type { UpgradeOptions, UpgradePrincipal } from './upgrade.js';
export { upgradeHandler, refuse } from './upgrade.js';
