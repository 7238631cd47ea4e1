export { createTableStore, type StoreChange, type TableStore } from './tableStore.js';
