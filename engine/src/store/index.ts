export { createTableStore, type TableStore } from './tableStore.js';
