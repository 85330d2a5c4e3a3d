export { authorizationLines, connectionFromNode, isSecureNodeRequest, sessionCookieOf } from './connection.js';
export { attachSessionPort, sessionPortOf } from './session-ports.js';
export type { UpgradeOptions, UpgradePrincipal, WatchedSocket, NodeRecheckOptions } from './upgrade.js';
export { upgradeHandler, refuse, watchNodeSocket } from './upgrade.js';
