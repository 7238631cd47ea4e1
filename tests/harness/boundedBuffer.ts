/** Keeps only the tail of a growing text stream, so a chatty child process cannot exhaust memory. */
export interface BoundedBuffer {
  push(chunk: string | Buffer): void;
  text(): string;
  /** True once something was dropped from the front. */
  readonly truncated: boolean;
}

export function createBoundedBuffer(maxChars = 256 * 1024): BoundedBuffer {
  let buf = '';
  let truncated = false;
  return {
    push(chunk) {
      buf += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      // Trim in bulk (at 1.5x) rather than on every push, to keep pushes cheap.
      if (buf.length > maxChars * 1.5) {
        buf = buf.slice(buf.length - maxChars);
        truncated = true;
      }
    },
    text: () => (buf.length > maxChars ? buf.slice(buf.length - maxChars) : buf),
    get truncated() {
      return truncated || buf.length > maxChars;
    },
  };
}
