export { ParleyServer, BACKSTOP_MS, type ServerOptions, type ServerState } from './server.js';
export type { CallConnection, CallHandler, LiveCall, RouteHandler, UpgradeRoute } from './types.js';
export { isAuthorized, presentedToken } from './auth.js';
export { ConnectionLimiter, TokenBucket } from './rateLimit.js';
