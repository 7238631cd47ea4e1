/**
 * The Node twin of the page's socket: `ws` with the token as a bearer header. A gate lets a test hold the
 * client "away" (its reconnects wait) and cut a connection after a given number of frames.
 */
import WebSocket from 'ws';
import type { OpenSocket } from '../../../ui/src/connection/index.js';

export interface SocketControl {
  readonly open: OpenSocket;
  /** URLs the client connected with, in order (resume points show here). */
  readonly urls: string[];
  /** Holds new connections until `release()`. */
  hold(): void;
  /** Settles once a connection attempt is being held. */
  whenHeld(): Promise<void>;
  release(): void;
  /** Closes the current connection once it has received `frames` more frames. */
  cutAfter(frames: number): void;
}

export function nodeSocketControl(token: string): SocketControl {
  const urls: string[] = [];
  let held: (() => void)[] | undefined;
  let cutIn = Infinity;
  let onHeld: (() => void) | undefined;
  const open: OpenSocket = (url, handlers) => {
    let ws: WebSocket | undefined;
    let closedEarly = false;
    /** After a cut, frames ws had already read from the wire are dropped, as if they never arrived. */
    let cut = false;
    const start = () => {
      if (closedEarly) return handlers.onClose('closed before it opened');
      urls.push(url);
      ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
      ws.binaryType = 'arraybuffer';
      ws.on('open', () => handlers.onOpen());
      ws.on('message', (data: ArrayBuffer | string, isBinary) => {
        if (cut) return;
        if (isBinary) handlers.onBinary(new Uint8Array(data as ArrayBuffer));
        else handlers.onText(Buffer.from(data as ArrayBuffer).toString('utf8'));
        if (--cutIn === 0) {
          cut = true;
          ws?.terminate();
        }
      });
      ws.on('close', (code) => handlers.onClose(`closed (code ${code})`));
      ws.on('error', () => undefined);
    };
    if (held) {
      held.push(start);
      onHeld?.();
    } else start();
    return {
      send: (text) => ws?.readyState === WebSocket.OPEN && ws.send(text),
      close: () => {
        closedEarly = true;
        ws?.terminate();
      },
    };
  };
  return {
    open,
    urls,
    hold: () => void (held ??= []),
    whenHeld: () => new Promise<void>((resolve) => (held?.length ? resolve() : (onHeld = resolve))),
    release() {
      const waiting = held ?? [];
      held = undefined;
      for (const start of waiting) start();
    },
    cutAfter(frames) {
      cutIn = frames;
    },
  };
}
