/**
 * On-demand content: what the tables only preview (a part's full text, a tool's output, a session transcript),
 * fetched by id over the WebSocket with `request` / `response`. Text is redacted by the engine and bounded.
 */

export const CONTENT_KINDS = ['part-text', 'tool-output', 'transcript'] as const;
export type ContentKind = (typeof CONTENT_KINDS)[number];

export function isContentKind(value: unknown): value is ContentKind {
  return typeof value === 'string' && (CONTENT_KINDS as readonly string[]).includes(value);
}

/** The full text of a text, reasoning or other textual part. */
export interface PartTextContent {
  readonly kind: 'part-text';
  readonly partId: string;
  readonly partType: string;
  readonly text: string;
  /** Length of the stored text before any cut, in characters. */
  readonly length: number;
  readonly truncated: boolean;
}

/** The output (or error) of a tool part, with its input as JSON. */
export interface ToolOutputContent {
  readonly kind: 'tool-output';
  readonly partId: string;
  readonly tool: string;
  readonly status: string;
  readonly input: string;
  readonly output: string;
  readonly length: number;
  readonly truncated: boolean;
}

export interface TranscriptEntry {
  readonly messageId: string;
  readonly role: string;
  readonly partId: string;
  readonly partType: string;
  /** Text of a text/reasoning part; `tool: input → output` of a tool part; empty for others. */
  readonly text: string;
}

/** A session's messages and parts in order, cut once it reaches the engine's size bound. */
export interface TranscriptContent {
  readonly kind: 'transcript';
  readonly sessionId: string;
  readonly entries: readonly TranscriptEntry[];
  readonly truncated: boolean;
}

export type ContentData = PartTextContent | ToolOutputContent | TranscriptContent;
