export { arrowSchema, buildIpc, buildTable, concatIpc, decodeIpc, setBoolColumn } from './tableIpc.js';
export { concatBytes, spliceIpcStreams, type IpcPiece } from './ipcSplice.js';
export { ipcToParquet, joinIpcStreams } from './parquet.js';
