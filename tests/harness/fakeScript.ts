/**
 * Script model of the fake LLM: what a test tells the fake model to answer, and the pure logic that decides
 * which scripted step a given request gets. No I/O here, so it is unit-testable and shared by both wire formats.
 */

/** One tool call the fake model emits; several in one step are sent as parallel calls. */
export interface FakeToolCall {
  /** Tool name as OpenCode offers it: bash, read, write, edit, webfetch, task, todowrite, question, glob… */
  name: string;
  /** JSON arguments of the call. */
  args: Record<string, unknown>;
  /** Call id; generated when absent. */
  id?: string;
}

/** Usage numbers the fake provider reports, in provider terms (OpenCode derives its own fields from them). */
export interface FakeUsage {
  /** prompt_tokens, cached tokens included. @default 1000 */
  prompt?: number;
  /** completion_tokens, reasoning tokens included. @default 50 */
  completion?: number;
  /** prompt_tokens_details.cached_tokens. @default 0 */
  cached?: number;
  /** completion_tokens_details.reasoning_tokens. @default 0 */
  reasoning?: number;
  /** Anthropic format only (cache_creation_input_tokens); the OpenAI format cannot carry it. @default 0 */
  cacheWrite?: number;
}

/** An HTTP error answer instead of a stream. */
export interface FakeHttpError {
  status: number;
  /** Response body; objects are sent as JSON. @default an OpenAI-style error object */
  body?: unknown;
  headers?: Record<string, string>;
}

/** What the fake model answers for one LLM round of a scenario. */
export interface FakeStep {
  reasoning?: string;
  text?: string;
  toolCalls?: FakeToolCall[];
  usage?: FakeUsage;
  /** Answer every attempt of this round with this HTTP error (a permanent failure, e.g. 400). */
  error?: FakeHttpError;
  /**
   * Answer the first attempts of this round with these errors, one per attempt, then the normal step.
   * This is how a retry is scripted: OpenCode re-sends the same request after a retryable status.
   */
  failures?: FakeHttpError[];
  /** Wait before the first byte (headers included). */
  delayMs?: number;
  /** Wait between SSE chunks; makes a turn observably slow (e.g. to abort it). */
  chunkDelayMs?: number;
  /** Characters per text/reasoning chunk. @default 12 */
  chunkSize?: number;
}

export type RequestKind = 'chat' | 'title' | 'summary';

/** The parts of a request the fake model needs, independent of the wire format. */
export interface NormalizedRequest {
  /** Text of every user message (tool results excluded), oldest first. */
  userTexts: string[];
  /** System prompt text, if any. */
  system: string;
  /** Names of the tools offered. */
  tools: string[];
  /** Assistant messages with tool calls after the last real user message. */
  toolRounds: number;
  messageCount: number;
}

const MARKER = /\[\[scenario:([A-Za-z0-9_.:-]+)\]\]/g;

/** Marker text to put into a prompt so the fake model answers it from scenario `id`. */
export function scenarioMarker(id: string): string {
  return `[[scenario:${id}]]`;
}

/** The scenario id of a request: the last marker of the most recent user message that has one. */
export function findScenarioId(userTexts: readonly string[]): string | undefined {
  for (let i = userTexts.length - 1; i >= 0; i--) {
    const matches = [...(userTexts[i] ?? '').matchAll(MARKER)];
    const last = matches[matches.length - 1];
    if (last?.[1]) return last[1];
  }
  return undefined;
}

/**
 * Title and compaction calls carry no tools. OpenCode's title system prompt starts "You are a title generator";
 * everything else tool-less (compaction, summaries) gets the summary text.
 */
export function classifyRequest(req: NormalizedRequest): RequestKind {
  if (req.tools.length > 0) return 'chat';
  return /title/i.test(req.system) ? 'title' : 'summary';
}

/** Text content of a chat message's `content`, whichever shape it has (string or array of parts). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((p: unknown) => {
      if (typeof p === 'string') return p;
      if (p && typeof p === 'object' && 'text' in p && typeof p.text === 'string') return p.text;
      return '';
    })
    .join('\n');
}

/** Splits text into stream pieces so OpenCode sees real deltas. */
export function chunkText(text: string, size: number): string[] {
  const n = Math.max(1, Math.floor(size));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += n) out.push(text.slice(i, i + n));
  return out;
}

/** Fills in the usage defaults. */
export function resolveUsage(u: FakeUsage | undefined): Required<FakeUsage> {
  return {
    prompt: u?.prompt ?? 1000,
    completion: u?.completion ?? 50,
    cached: u?.cached ?? 0,
    reasoning: u?.reasoning ?? 0,
    cacheWrite: u?.cacheWrite ?? 0,
  };
}
