export { discoverSources, resolveDbOverride, type SourceKind, type SourceLocation } from './discover.js';
export { countSqlite, inspectSource, problemFromError, type SourceSummary } from './inspect.js';
export { collectSources, sourcesRows } from './table.js';
