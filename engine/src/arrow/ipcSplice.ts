/**
 * Joins a table's Arrow IPC streams into as few streams as possible without copying a byte: the store keeps a
 * table as hundreds of complete streams (schema, record batches, end-of-stream marker), and DuckDB-WASM loads
 * one long stream several times faster than hundreds of short ones (docs/benchmarks.md, "Stream"). A stream's
 * messages are `[0xFFFFFFFF][i32 metadata length][metadata][body]`; the schema message has no body and the
 * end-of-stream marker is `[0xFFFFFFFF][0]`. So the streams after the first lose their schema, every stream but
 * the last loses its marker, and the pieces concatenate to one valid stream: byte views, no decoding.
 *
 * A stream whose schema differs from the one before (another build of the columns) or whose framing is not the
 * plain one above starts a new joined stream, so the output is always valid, only less joined.
 */

export interface IpcPiece {
  /** A view into one of the input streams. */
  readonly ipc: Uint8Array;
  /** This piece ends a joined stream. */
  readonly end: boolean;
  /** Which input stream the piece comes from. */
  readonly source: number;
}

const CONTINUATION = 0xffffffff;

/** Bytes of the leading schema message, or undefined when the stream does not start with a plain one. */
function schemaLength(stream: Uint8Array): number | undefined {
  if (stream.length < 8) return undefined;
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  if (view.getUint32(0, true) !== CONTINUATION) return undefined;
  const metadata = view.getInt32(4, true);
  if (metadata <= 0 || metadata % 8 !== 0 || 8 + metadata > stream.length) return undefined;
  return 8 + metadata;
}

function endsWithMarker(stream: Uint8Array): boolean {
  if (stream.length < 16) return false;
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  return view.getUint32(stream.length - 8, true) === CONTINUATION && view.getInt32(stream.length - 4, true) === 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The pieces copied into one buffer of their own (always a copy: the result may be transferred to a worker). */
export function concatBytes(pieces: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

export function spliceIpcStreams(streams: readonly Uint8Array[]): IpcPiece[] {
  const pieces: { ipc: Uint8Array; end: boolean; source: number }[] = [];
  /** Schema of the joined stream being built, while its last piece still has its marker cut off. */
  let open: Uint8Array | undefined;
  const close = () => {
    const last = pieces[pieces.length - 1];
    if (open && last) {
      // Give the last piece its marker back: the marker is the 8 bytes right after it in its own stream.
      last.ipc = new Uint8Array(last.ipc.buffer, last.ipc.byteOffset, last.ipc.length + 8);
      last.end = true;
    }
    open = undefined;
  };
  streams.forEach((stream, source) => {
    const schema = schemaLength(stream);
    if (schema === undefined || !endsWithMarker(stream)) {
      close();
      pieces.push({ ipc: stream, end: true, source });
      return;
    }
    const schemaBytes = stream.subarray(0, schema);
    if (open && sameBytes(open, schemaBytes)) {
      pieces.push({ ipc: stream.subarray(schema, stream.length - 8), end: false, source });
      return;
    }
    close();
    open = schemaBytes;
    pieces.push({ ipc: stream.subarray(0, stream.length - 8), end: false, source });
  });
  close();
  return pieces;
}
