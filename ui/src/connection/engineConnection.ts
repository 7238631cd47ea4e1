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
