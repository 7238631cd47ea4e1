export { allowedHosts, isAllowedHost, isAllowedOrigin, isLoopbackHost, parseCookies, presentedToken, TOKEN_COOKIE, tokenMatches } from './access.js';
export { startServer, type EngineSnapshot, type RunningServer, type ServerOptions, type TableSnapshot } from './server.js';
export * from './stream/index.js';
export { readStaticFile } from './staticFiles.js';
export { loadOrCreateToken } from './token.js';
