/**
 * The tray's connection to the engine: a WebSocket with the install token, decoded with the shared codec,
 * reconnecting with bounded back-off. Offline is a state, never an exception.
 */
import WebSocket from 'ws';
import { decodeServerMessage } from '../../../shared/src/index.js';
import type { TrayEvent } from '../state/index.js';

export interface EngineLinkOptions {
  /** Base URL of the engine, e.g. http://127.0.0.1:19876 */
  readonly engineUrl: string;
  readonly token: string;
  readonly onEvent: (event: TrayEvent) => void;
  readonly maxBackoffMs?: number;
}

export interface EngineLink {
  retryNow(): void;
  close(): void;
}

export function connectEngineLink(options: EngineLinkOptions): EngineLink {
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  let backoff = 500;
  let closed = false;
  let socket: WebSocket | undefined;
  let timer: NodeJS.Timeout | undefined;

  const connect = () => {
    if (closed) return;
    options.onEvent({ type: 'connecting' });
    // Live state and notifications only: the tray never needs the tables (hundreds of MB on a large history).
    const url = new URL('/ws?live=1', options.engineUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new WebSocket(url, { headers: { authorization: `Bearer ${options.token}` } });
    socket.on('open', () => (backoff = 500));
    socket.on('message', (data, isBinary) => {
      if (isBinary) return; // a live-only stream has no binary frames; ignore any rather than fail
      const decoded = decodeServerMessage(data.toString());
      if (decoded.ok) options.onEvent({ type: 'message', message: decoded.value });
    });
    socket.on('error', () => undefined); // 'close' follows and carries the outcome
    socket.on('close', (code, reason) => {
      if (closed) return;
      options.onEvent({ type: 'disconnected', reason: reason.toString() || `connection closed (${code})` });
      timer = setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, maxBackoff);
    });
  };
  connect();
  return {
    retryNow() {
      clearTimeout(timer);
      socket?.terminate();
      backoff = 500;
      connect();
    },
    close() {
      closed = true;
      clearTimeout(timer);
      socket?.close();
    },
  };
}
