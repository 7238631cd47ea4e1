export { allowedHosts, isAllowedHost, isAllowedOrigin, isLoopbackHost, parseCookies, presentedToken, TOKEN_COOKIE, tokenMatches } from './access.js';
export { BRIDGE_PATH, startServer, type EngineSnapshot, type RunningServer, type ServerOptions, type TableSnapshot } from './server.js';
export * from './stream/index.js';
export { readStaticFile } from './staticFiles.js';
export { loadOrCreateToken } from './token.js';
export { closeRestContext, handleApiRequest, type RestContext, type RestActions } from './rest/index.js';
