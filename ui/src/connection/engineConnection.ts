/**
 * The WebSocket link to the engine: decodes frames with the shared codec and hands typed events to the caller.
 * It knows nothing of DuckDB or Vue.
 */
import {
  decodeArrowChunk,
  decodeServerMessage,
  formatProblem,
  type DecodedArrowChunk,
  type ServerMessage,
} from '../../../shared/src/index.js';

export interface ConnectionHandlers {
  onMessage(message: ServerMessage): void;
  onChunk(chunk: DecodedArrowChunk): void;
  onClose(reason: string): void;
  onProtocolError(message: string): void;
}

export interface EngineConnection {
  close(): void;
}

/** Same origin as the page: the cookie set by the engine carries the token. */
export function engineSocketUrl(location: Location): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

export function connectEngine(url: string, handlers: ConnectionHandlers): EngineConnection {
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  socket.addEventListener('message', (event: MessageEvent<string | ArrayBuffer>) => {
    if (typeof event.data === 'string') {
      const decoded = decodeServerMessage(event.data);
      if (decoded.ok) handlers.onMessage(decoded.value);
      else handlers.onProtocolError(formatProblem(decoded.problem));
      return;
    }
    const chunk = decodeArrowChunk(new Uint8Array(event.data));
    if (chunk.ok) handlers.onChunk(chunk.value);
    else handlers.onProtocolError(formatProblem(chunk.problem));
  });
  socket.addEventListener('close', (event) => handlers.onClose(event.reason || `connection closed (code ${event.code})`));
  return { close: () => socket.close() };
}
