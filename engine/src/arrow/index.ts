export { arrowSchema, buildIpc, buildTable, concatIpc, decodeIpc, setBoolColumn } from './tableIpc.js';
export { spliceIpcStreams, type IpcPiece } from './ipcSplice.js';
export { ipcToParquet, joinIpcStreams } from './parquet.js';
