export { ParleyServer, BACKSTOP_MS, type ServerOptions, type ServerState } from './server.js';
export type { RouteHandler, UpgradeRoute } from './types.js';
export type { CallConnection, CallHandler, LiveCall } from '../session/seam.js';
export { isAuthorized, presentedToken } from './auth.js';
export { ConnectionLimiter, TokenBucket } from './rateLimit.js';
