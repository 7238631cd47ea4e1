export { arrowSchema, buildIpc, buildTable } from './tableIpc.js';
