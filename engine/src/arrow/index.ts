export { arrowSchema, buildIpc, buildTable, concatIpc, setBoolColumn } from './tableIpc.js';
export { spliceIpcStreams, type IpcPiece } from './ipcSplice.js';
