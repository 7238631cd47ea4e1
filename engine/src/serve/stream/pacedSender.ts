/**
 * Flow control for one client. Every frame handed to the socket counts as "in flight" until the socket's send
 * callback says it reached the kernel; a new frame waits while the bytes in flight would pass the bound. So the
 * engine holds at most max(bound, one frame) per client however slowly the client reads: a client that stops
 * reading stops the sender, it does not grow a queue. (This counts a superset of ws's `bufferedAmount`: frames
 * queued in ws and in the socket's writable buffer alike.)
 */

/** The part of a WebSocket the stream uses; `ws`'s WebSocket fits through a small adapter (see `server.ts`). */
export interface StreamSocket {
  /** `done` runs once the frame is written out, or with an error when it never will be. */
  send(frame: string | Uint8Array, done: (error?: Error) => void): void;
  close(code: number, reason: string): void;
}

export interface SenderStats {
  readonly inFlightBytes: number;
  /** The most ever in flight at once: what the bound promises to keep small. */
  readonly peakInFlightBytes: number;
  readonly sentFrames: number;
  readonly sentBytes: number;
}

export interface PacedSender {
  /** Resolves true once the frame is handed to the socket, false when the socket is gone. */
  send(frame: string | Uint8Array, bytes: number): Promise<boolean>;
  close(): void;
  readonly closed: boolean;
  stats(): SenderStats;
}

/** @default 8 MiB: a few snapshot chunks; enough to keep a fast link busy, small against the engine's heap. */
export const DEFAULT_MAX_IN_FLIGHT_BYTES = 8 * 1024 * 1024;

export function createPacedSender(socket: StreamSocket, maxInFlightBytes = DEFAULT_MAX_IN_FLIGHT_BYTES): PacedSender {
  let inFlight = 0;
  let peak = 0;
  let sentFrames = 0;
  let sentBytes = 0;
  let closed = false;
  let waiters: (() => void)[] = [];
  const release = () => {
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  };
  // One frame always goes when nothing is in flight, so a frame larger than the bound still gets through.
  const mustWait = (bytes: number) => inFlight > 0 && inFlight + bytes > maxInFlightBytes;

  return {
    async send(frame, bytes) {
      while (!closed && mustWait(bytes)) await new Promise<void>((resolve) => waiters.push(resolve));
      if (closed) return false;
      inFlight += bytes;
      peak = Math.max(peak, inFlight);
      sentFrames++;
      sentBytes += bytes;
      socket.send(frame, (error) => {
        inFlight -= bytes;
        if (error) closed = true;
        release();
      });
      return true;
    },
    close() {
      closed = true;
      release();
    },
    get closed() {
      return closed;
    },
    stats: () => ({ inFlightBytes: inFlight, peakInFlightBytes: peak, sentFrames, sentBytes }),
  };
}
