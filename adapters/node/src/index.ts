export { authorizationLines, connectionFromNode } from './connection.js';
export type { UpgradeOptions, UpgradePrincipal } from './upgrade.js';
export { upgradeHandler, refuse } from './upgrade.js';
