import { fail, ok } from '../../../shared/src/index.js';
import type { FetchSnapshotBody } from './snapshotLoader.js';

/**
 * The socket under the engine client, as two small adapters over one interface: the page's `WebSocket` here,
 * and `ws` in the Node twin (tests/protocol). The client core never touches a socket API directly.
 */

export interface SocketHandlers {
  onOpen(): void;
  onText(text: string): void;
  onBinary(bytes: Uint8Array): void;
  onClose(reason: string): void;
}

export interface EngineSocket {
  send(text: string): void;
  close(): void;
}

export type OpenSocket = (url: string, handlers: SocketHandlers) => EngineSocket;

/** Same origin as the page: the cookie set by the engine carries the token. */
export function engineSocketUrl(location: Location): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

/** The page's WebSocket. */
export const openBrowserSocket: OpenSocket = (url, handlers) => {
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  socket.addEventListener('open', () => handlers.onOpen());
  socket.addEventListener('message', (event: MessageEvent<string | ArrayBuffer>) => {
    if (typeof event.data === 'string') handlers.onText(event.data);
    else handlers.onBinary(new Uint8Array(event.data));
  });
  socket.addEventListener('close', (event) => handlers.onClose(event.reason || `connection closed (code ${event.code})`));
  return {
    send: (text) => socket.readyState === WebSocket.OPEN && socket.send(text),
    close: () => socket.close(),
  };
};

/** A response body's slices, read with a reader (async iteration of streams is not in every browser). */
async function* bodySlices(body: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * Fetches a snapshot body from `base` (the engine's origin). The page sends its cookie (`credentials`); the Node
 * twin passes the token as a header instead.
 */
export function httpSnapshotBody(base: string, headers: Record<string, string> = {}): FetchSnapshotBody {
  return async (path, signal) => {
    let response: Response;
    try {
      response = await fetch(new URL(path, base), { credentials: 'same-origin', headers, signal, cache: 'no-store' });
    } catch (error) {
      return fail({ code: 'protocol.disconnected', message: `the snapshot body could not be fetched: ${(error as Error).message}` });
    }
    if (!response.ok || !response.body) {
      return fail({ code: 'protocol.disconnected', message: `the snapshot body was refused (HTTP ${response.status}); a fresh snapshot follows` });
    }
    return ok(bodySlices(response.body));
  };
}
