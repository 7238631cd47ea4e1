/**
 * Arrow IPC → Parquet, for the DuckDB file the stream offers new clients (`serve/stream/duckdbFile.ts`): native
 * DuckDB reads Parquet without an extension, not Arrow IPC. parquet-wasm does the conversion; it is synchronous
 * WebAssembly, so the engine runs it on a worker thread (`IngestPool.toParquet`), never on the main thread.
 */
import { concatBytes, spliceIpcStreams } from './ipcSplice.js';

type ParquetWasm = typeof import('parquet-wasm/node');
let loaded: ParquetWasm | undefined;

/** parquet-wasm is loaded on first use: the ingest workers that never convert do not pay for its module. */
async function parquetWasm(): Promise<ParquetWasm> {
  loaded ??= await import('parquet-wasm/node');
  return loaded;
}

/** One Arrow IPC stream (schema, batches, end marker) as one Parquet file's bytes, uncompressed. */
export async function ipcToParquet(stream: Uint8Array): Promise<Uint8Array> {
  const parquet = await parquetWasm();
  // Uncompressed: the file is read once, right away, by DuckDB on the same machine; compressing only costs time.
  const properties = new parquet.WriterPropertiesBuilder().setCompression(parquet.Compression.UNCOMPRESSED).build();
  return parquet.writeParquet(parquet.Table.fromIPCStream(stream), properties);
}

/**
 * A table's IPC streams joined into streams of about `maxBytes` each (a stream larger than that stays alone), each
 * in a buffer of its own so it can be posted to a worker; one at a time, so a caller holds one such copy, not the
 * table's. The joining is `spliceIpcStreams`' byte views, copied once.
 */
export function* joinIpcStreams(streams: readonly Uint8Array[], maxBytes: number): Generator<Uint8Array> {
  let group: Uint8Array[] = [];
  let bytes = 0;
  for (const stream of streams) {
    if (group.length > 0 && bytes + stream.length > maxBytes) {
      yield* joinGroup(group);
      group = [];
      bytes = 0;
    }
    group.push(stream);
    bytes += stream.length;
  }
  if (group.length > 0) yield* joinGroup(group);
}

function* joinGroup(members: readonly Uint8Array[]): Generator<Uint8Array> {
  let pieces: Uint8Array[] = [];
  for (const piece of spliceIpcStreams(members)) {
    pieces.push(piece.ipc);
    if (!piece.end) continue;
    yield concatBytes(pieces);
    pieces = [];
  }
}
