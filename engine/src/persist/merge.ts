/**
 * Merges several Arrow IPC streams of one table into one stream: what compaction writes in place of many small
 * segments. The record batches are kept as they are (empty ones dropped); only the framing is merged.
 */
import { DataType, Table, tableFromIPC, tableToIPC, type Schema } from 'apache-arrow';
import { fail, ok, type Result } from '../../../shared/src/index.js';
import type { SegmentInput } from './stateStore.js';

/** Arrow's end-of-stream marker: continuation token + zero length. Arrow JS reads a stream cut before it happily. */
const END_OF_STREAM = [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0];

function isCompleteStream(bytes: Uint8Array): boolean {
  const tail = bytes.subarray(bytes.byteLength - END_OF_STREAM.length);
  return tail.byteLength === END_OF_STREAM.length && END_OF_STREAM.every((b, i) => tail[i] === b);
}

function schemaKey(schema: Schema): string {
  return schema.fields.map((f) => `${f.name}:${String(f.type)}:${f.nullable}`).join(',');
}

/** One IPC stream holding every row of `parts`, in order; a problem if they are unreadable or disagree. */
export function mergeIpcStreams(parts: readonly Uint8Array[], source = 'segments'): Result<SegmentInput> {
  if (parts.length === 0) return fail({ code: 'internal.bug', message: 'nothing to merge', source });
  const tables: Table[] = [];
  for (const [i, part] of parts.entries()) {
    let table: Table;
    try {
      table = tableFromIPC(part);
    } catch (error) {
      return fail({ code: 'source.unreadable', message: `part ${i} is not an Arrow IPC stream: ${(error as Error).message}`, source });
    }
    if (table.schema.fields.length === 0 || !isCompleteStream(part)) {
      return fail({ code: 'source.unreadable', message: `part ${i} is not a complete Arrow IPC stream`, source });
    }
    tables.push(table);
  }
  const schema = tables[0]!.schema;
  const key = schemaKey(schema);
  const differing = tables.findIndex((t) => schemaKey(t.schema) !== key);
  if (differing >= 0) {
    return fail({ code: 'internal.bug', message: `part ${differing} has another schema than part 0; not merged`, source });
  }
  // Arrow JS cannot write one stream from batches with different dictionaries: refuse rather than corrupt.
  const dictionary = schema.fields.find((f) => DataType.isDictionary(f.type));
  if (dictionary && parts.length > 1) {
    return fail({ code: 'internal.bug', message: `dictionary-encoded column ${dictionary.name} cannot be merged`, source });
  }
  const batches = tables.flatMap((t) => t.batches).filter((b) => b.numRows > 0);
  const merged = new Table(schema, batches);
  return ok({ bytes: tableToIPC(merged, 'stream'), rows: merged.numRows });
}
