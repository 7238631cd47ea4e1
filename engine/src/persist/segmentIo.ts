/**
 * Reading one segment back, verified against its manifest entry, and turning fs errors into problems.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { fail, ok, type Problem, type Result } from '../../../shared/src/index.js';
import type { SegmentInfo } from './manifest.js';

export function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

export function ioProblem(error: unknown, action: string, source: string): Problem {
  const code = errno(error);
  return {
    code: code === 'ENOENT' ? 'source.vanished' : 'source.unreadable',
    message: `could not ${action}: ${(error as Error).message ?? String(error)}`,
    source,
    detail: { errno: code ?? null },
  };
}

/** Continuation marker of an Arrow IPC message, and the stream's end-of-stream marker (marker + zero length). */
const IPC_MARKER = 0xffffffff;

/**
 * A cheap check of a segment read without its checksum: an Arrow IPC stream starts with a message marker and
 * ends with the end-of-stream marker, so a file cut or overwritten at either end is caught at once.
 */
export function looksLikeIpcStream(data: Uint8Array): boolean {
  if (data.byteLength < 16) return false;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const end = data.byteLength - 8;
  return view.getUint32(0, true) === IPC_MARKER && view.getUint32(end, true) === IPC_MARKER && view.getUint32(end + 4, true) === 0;
}

const sha256Hex = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

export async function readSegment(file: string, segment: SegmentInfo, verifyChecksum: boolean): Promise<Result<Uint8Array>> {
  let data: Buffer;
  try {
    data = await fs.readFile(file);
  } catch (error) {
    if (errno(error) === 'ENOENT') {
      return fail({ code: 'source.vanished', message: 'a segment named by the manifest is missing', source: file });
    }
    return fail(ioProblem(error, 'read a segment', file));
  }
  if (data.byteLength !== segment.bytes) {
    return fail({
      code: 'source.unreadable',
      message: `segment has ${data.byteLength} bytes, the manifest says ${segment.bytes} (truncated or overwritten)`,
      source: file,
    });
  }
  if (verifyChecksum && segment.sha256 && sha256Hex(data) !== segment.sha256) {
    return fail({ code: 'source.unreadable', message: 'segment checksum does not match the manifest', source: file });
  }
  return ok(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/**
 * A saved segment the engine reads when it needs it rather than on load (body tables: hundreds of MB). Its
 * length was checked on load; each read checks it again with the IPC framing, and the checksum is checked once
 * in the background (`verifyLater`). Segment files are never changed in place and are deleted only after a
 * commit stops naming them, so a reader holding one must stop using it once it saves the table again.
 */
export interface SavedSegment {
  readonly file: string;
  readonly segment: SegmentInfo;
  /** The bytes, read now. Throws when the file is gone or no longer what the manifest says (damaged meanwhile). */
  read(): Uint8Array;
}

export function savedSegment(file: string, segment: SegmentInfo): SavedSegment {
  return {
    file,
    segment,
    read() {
      const data = readFileSync(file);
      if (data.byteLength !== segment.bytes || !looksLikeIpcStream(data)) {
        throw new Error(`source.unreadable: saved segment ${file} changed since it was loaded (${data.byteLength} bytes, the manifest says ${segment.bytes})`);
      }
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    },
  };
}

/** Checks that a segment file is there with the length the manifest gives, without reading it. */
export async function statSegment(file: string, segment: SegmentInfo): Promise<Result<void>> {
  let size: number;
  try {
    size = (await fs.stat(file)).size;
  } catch (error) {
    if (errno(error) === 'ENOENT') return fail({ code: 'source.vanished', message: 'a segment named by the manifest is missing', source: file });
    return fail(ioProblem(error, 'read a segment', file));
  }
  if (size !== segment.bytes) {
    return fail({ code: 'source.unreadable', message: `segment has ${size} bytes, the manifest says ${segment.bytes} (truncated or overwritten)`, source: file });
  }
  return ok(undefined);
}

/** A segment read with its checksum left for later. */
export interface UncheckedSegment {
  readonly file: string;
  readonly segment: SegmentInfo;
}

/** Plain JavaScript for the checking thread: it needs nothing but fs and crypto. */
const CHECKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { createHash } = require('node:crypto');
function check() {
  let checked = 0;
  for (const { file, sha256 } of workerData) {
    let data;
    try { data = fs.readFileSync(file); } catch { continue; } // superseded and deleted since: nothing to check
    if (createHash('sha256').update(data).digest('hex') !== sha256) return { bad: file };
    checked++;
  }
  return { checked };
}
parentPort.postMessage(check());
`;

export interface LaterCheck {
  /** Resolves with how many segments were checked, or the first mismatch as a problem. */
  readonly done: Promise<Result<number>>;
  /** Stops checking (the engine is closing); `done` then resolves with what was checked: nothing. */
  stop(): void;
}

/**
 * Checks the SHA-256 of segments loaded unchecked, on a thread of its own that reads the (immutable) files
 * again from the page cache: the main thread, which holds their bytes, spends nothing on it.
 */
export function verifyLater(segments: readonly UncheckedSegment[]): LaterCheck {
  const work = segments.filter((s) => s.segment.sha256).map((s) => ({ file: s.file, sha256: s.segment.sha256! }));
  if (work.length === 0) return { done: Promise.resolve(ok(0)), stop: () => undefined };
  const worker = new Worker(CHECKER_SOURCE, { eval: true, workerData: work });
  // A short-lived command may finish first: the check must not keep the process alive.
  worker.unref();
  const done = new Promise<Result<number>>((resolve) => {
    worker.once('message', (message: { bad?: string; checked?: number }) => {
      resolve(message.bad ? fail({ code: 'source.unreadable', message: 'segment checksum does not match the manifest', source: message.bad }) : ok(message.checked ?? 0));
    });
    worker.once('error', (error) => resolve(fail(ioProblem(error, 'check the saved segments', work[0]!.file))));
    worker.once('exit', () => resolve(ok(0)));
  });
  return { done, stop: () => void worker.terminate() };
}
