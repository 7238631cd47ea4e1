/**
 * Reading one segment back, verified against its manifest entry, and turning fs errors into problems.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
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
  if (verifyChecksum && segment.sha256 && createHash('sha256').update(data).digest('hex') !== segment.sha256) {
    return fail({ code: 'source.unreadable', message: 'segment checksum does not match the manifest', source: file });
  }
  return ok(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}
