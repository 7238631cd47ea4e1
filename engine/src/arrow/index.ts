export { arrowSchema, buildIpc, buildTable, concatIpc, setBoolColumn } from './tableIpc.js';
