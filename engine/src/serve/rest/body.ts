/**
 * Reads a JSON request body for the mutating routes: `application/json` only, at most `maxBytes`, one JSON value.
 * Each refusal is data with its own code (415, 413, 400), and an oversized body is cut off without buffering it.
 */
import type http from 'node:http';
import { fail, ok, type Result } from '../../../../shared/src/index.js';

export const MAX_BODY_BYTES = 16 * 1024;

export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [type = '', ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json') return false;
  // JSON is UTF-8 (RFC 8259); a declared other charset would be misread.
  return params.every((p) => !p.startsWith('charset=') || p === 'charset=utf-8');
}

export async function readJsonBody(req: http.IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<Result<unknown>> {
  if (!isJsonContentType(req.headers['content-type'])) {
    req.resume();
    return fail({ code: 'serve.unsupported-media-type', message: `send the body as Content-Type: application/json (got "${(req.headers['content-type'] ?? 'none').slice(0, 60)}")` });
  }
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > maxBytes) {
    req.resume();
    return fail({ code: 'serve.payload-too-large', message: `body of ${declared} bytes exceeds the ${maxBytes}-byte cap` });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      tooLarge = true;
      continue; // drain without keeping it, so the response can still be written on this connection
    }
    chunks.push(chunk);
  }
  if (tooLarge) return fail({ code: 'serve.payload-too-large', message: `body exceeds the ${maxBytes}-byte cap` });
  const text = Buffer.concat(chunks).toString('utf8');
  // An empty body is "no body" (a reject carries nothing); routes that need fields say so.
  if (text.trim() === '') return ok(undefined);
  try {
    return ok(JSON.parse(text) as unknown);
  } catch (error) {
    return fail({ code: 'serve.bad-request', message: `body is not valid JSON: ${(error as Error).message}` });
  }
}
