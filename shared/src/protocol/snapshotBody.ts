/**
 * The snapshot body (protocol 3): what `GET hello.snapshotPath` returns. A plain byte stream of records, each
 * `[u32 little-endian frame length][arrow frame]` where the frame is `codec.ts`'s binary frame with an
 * `arrow-chunk` header. HTTP delivers it in arbitrary slices, so the reader gathers records across them.
 */
import { fail, ok, type Result } from '../errors/index.js';
import { decodeArrowFrame, encodeArrowFrameHead, type DecodedArrowFrame } from './codec.js';
import type { ArrowChunkHeader } from './messages.js';

export const SNAPSHOT_BODY_CONTENT_TYPE = 'application/vnd.opencode-monitor.snapshot';

/** One record must fit in memory at once; a corrupt length prefix must not make the reader allocate wildly. */
export const MAX_SNAPSHOT_RECORD_BYTES = 1024 * 1024 * 1024;

/** The bytes of a record before its Arrow IPC: record length, then the frame's own head. */
export function snapshotRecordHead(header: ArrowChunkHeader, ipcBytes: number): Uint8Array {
  const frameHead = encodeArrowFrameHead(header);
  const head = new Uint8Array(4 + frameHead.length);
  new DataView(head.buffer).setUint32(0, frameHead.length + ipcBytes, true);
  head.set(frameHead, 4);
  return head;
}

export interface SnapshotBodyReader {
  /**
   * Takes the next slice of the body; returns the records it completed. A record that lies inside the slice is a
   * view into it (no copy); one that straddles slices is gathered into its own buffer.
   */
  push(slice: Uint8Array): Result<DecodedArrowFrame<ArrowChunkHeader>[]>;
  /** The body ended: a problem when it stopped inside a record. */
  finish(): Result<void>;
  /** Bytes taken so far. */
  readonly bytes: number;
}

export function createSnapshotBodyReader(): SnapshotBodyReader {
  const lengthBytes = new Uint8Array(4);
  let lengthFilled = 0;
  let record: Uint8Array | undefined;
  let recordFilled = 0;
  let bytes = 0;
  let broken: Result<never> | undefined;

  const complete = (frame: Uint8Array): Result<DecodedArrowFrame<ArrowChunkHeader>> => {
    const decoded = decodeArrowFrame(frame);
    if (!decoded.ok) return decoded;
    if (decoded.value.header.type !== 'arrow-chunk') return fail({ code: 'protocol.bad-message', message: `snapshot body holds a "${decoded.value.header.type}" frame; only arrow-chunk belongs there` });
    return ok(decoded.value as DecodedArrowFrame<ArrowChunkHeader>);
  };

  return {
    push(slice) {
      if (broken) return broken;
      bytes += slice.length;
      const done: DecodedArrowFrame<ArrowChunkHeader>[] = [];
      let at = 0;
      while (at < slice.length) {
        if (!record) {
          const take = Math.min(4 - lengthFilled, slice.length - at);
          lengthBytes.set(slice.subarray(at, at + take), lengthFilled);
          lengthFilled += take;
          at += take;
          if (lengthFilled < 4) break;
          const length = new DataView(lengthBytes.buffer).getUint32(0, true);
          if (length < 4 || length > MAX_SNAPSHOT_RECORD_BYTES) {
            return (broken = fail({ code: 'protocol.bad-message', message: `snapshot body record of ${length} bytes (allowed: 4 to ${MAX_SNAPSHOT_RECORD_BYTES})` }));
          }
          if (slice.length - at >= length) {
            // The common case for small records: the whole record is in this slice.
            const frame = complete(slice.subarray(at, at + length));
            if (!frame.ok) return (broken = frame);
            done.push(frame.value);
            at += length;
            lengthFilled = 0;
            continue;
          }
          record = new Uint8Array(length);
          recordFilled = 0;
        }
        const take = Math.min(record.length - recordFilled, slice.length - at);
        record.set(slice.subarray(at, at + take), recordFilled);
        recordFilled += take;
        at += take;
        if (recordFilled < record.length) break;
        const frame = complete(record);
        if (!frame.ok) return (broken = frame);
        done.push(frame.value);
        record = undefined;
        lengthFilled = 0;
      }
      return ok(done);
    },
    finish() {
      if (broken) return broken;
      if (record || lengthFilled > 0) return fail({ code: 'protocol.bad-message', message: `snapshot body ended inside a record (${bytes} bytes read)` });
      return ok(undefined);
    },
    get bytes() {
      return bytes;
    },
  };
}
