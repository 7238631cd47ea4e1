export { lazyConnection } from './lazyConnection.js';
export { quoteIdent, type Row, type SqlConnection } from './sqlConnection.js';
export { createTableSync, keyPredicate, type TableSync } from './tableSync.js';
