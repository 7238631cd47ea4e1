/**
 * The engine's end of the plugin bridge: `POST /bridge/events` with the bridge token (not the install token: the
 * plugin can post events and nothing else). Answers 204 when taken, 401 for a wrong token (the plugin then
 * re-reads the bridge file), 413 for an oversized body, 400 for a malformed one (the plugin drops that batch).
 */
import type http from 'node:http';
import { formatProblem } from '../../../../shared/src/index.js';
import type { Logger } from '../../log.js';
import { isBridgeAuthorized, MAX_BRIDGE_BODY_BYTES, parseBridgePayload, type BridgeBatch } from './payload.js';

export interface BridgeReceiver {
  readonly token: string;
  readonly ingest: (batch: BridgeBatch) => void;
  readonly logger: Logger;
}

function answer(res: http.ServerResponse, status: number, message?: string): void {
  if (message === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ success: false, error: { message } }));
}

export async function handleBridgeRequest(req: http.IncomingMessage, res: http.ServerResponse, receiver: BridgeReceiver): Promise<void> {
  if (req.method !== 'POST') return answer(res, 405, 'POST only');
  if (!isBridgeAuthorized(req.headers.authorization, receiver.token)) return answer(res, 401, 'wrong bridge token');
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BRIDGE_BODY_BYTES) return answer(res, 413, 'body too large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BRIDGE_BODY_BYTES) {
      answer(res, 413, 'body too large');
      req.destroy();
      return;
    }
    chunks.push(chunk);
  }
  const batch = parseBridgePayload(Buffer.concat(chunks).toString('utf8'));
  if (!batch.ok) {
    receiver.logger.debug(`bridge: ${formatProblem(batch.problem)}`);
    return answer(res, 400, batch.problem.message);
  }
  receiver.ingest(batch.value);
  answer(res, 204);
}
