/**
 * Incremental parser for OpenCode's SSE framing: blocks separated by a blank line, of which only `data:` lines
 * matter (OpenCode sends no `id:` or `event:` fields, opencode.md §7.3). Chunks may split anywhere, including
 * inside a multi-byte character, so bytes are decoded in streaming mode before splitting.
 */

export interface SseParser {
  /** Feeds raw bytes; calls `onData` once per complete block that had data. */
  push(bytes: Uint8Array): void;
}

/** Longest block accepted; a peer that never sends a blank line must not make us buffer forever. */
const MAX_BLOCK_CHARS = 8 * 1024 * 1024;

export function createSseParser(onData: (data: string) => void): SseParser {
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    push(bytes) {
      buffer += decoder.decode(bytes, { stream: true }).replace(/\r\n?/g, '\n');
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => (line.startsWith('data: ') ? line.slice(6) : line.slice(5)))
          .join('\n');
        if (data !== '') onData(data);
      }
      if (buffer.length > MAX_BLOCK_CHARS) buffer = '';
    },
  };
}
