/**
 * What the database alone says about live sessions, for OpenCode processes that open no port (a plain TUI or
 * `opencode run`, opencode.md §8). It is an inference, not the exact state an event stream gives: OpenCode
 * stores no busy/idle status (§4.4), so activity is read from in-flight messages and tool parts, and a turn a
 * crashed process left behind is reported as `stale`, never as busy forever.
 */
import type { LiveTodos } from '../../../../shared/src/index.js';

/** busy: a turn runs. idle: nothing runs. stale: the rows say busy but the owner is gone or silent (idle-stale). */
export type InferredActivity = 'busy' | 'idle' | 'stale';

/**
 * Why the rows look busy:
 * - assistant-in-flight: the latest assistant message has neither `time.completed` nor `error`;
 * - tool-running: a tool part of the latest assistant message is pending or running;
 * - prompt-queued: the latest message is a fresh user prompt no assistant message answers yet;
 * - continuing: the latest step ended with `finish: "tool-calls"`, so the next step is about to start.
 */
export type BusyEvidence = 'assistant-in-flight' | 'tool-running' | 'prompt-queued' | 'continuing';

/** process-gone: no OpenCode process works in the session's directory; no-activity: nothing written for too long. */
export type StaleReason = 'process-gone' | 'no-activity';

/** A tool call the database shows as started and not ended. Maps onto the shared `LiveTool`. */
export interface InferredTool {
  readonly callId: string;
  readonly messageId: string;
  readonly tool: string;
  readonly status: 'pending' | 'running';
  /** The one argument worth showing, chosen as the original monitor did (bash → command, read → file path, …). */
  readonly argument: string;
  /** `state.time.start`; for a pending tool (no start yet) the time its part was written. */
  readonly startedMs: number;
}

export interface InferredSession {
  readonly id: string;
  readonly title: string;
  readonly parentId?: string;
  readonly directory: string;
  readonly activity: InferredActivity;
  /** Set when the rows look busy, also for a stale session (what it looked like before it went quiet). */
  readonly evidence?: BusyEvidence;
  /** Set only when `activity` is `stale`. */
  readonly staleReason?: StaleReason;
  /** Running and pending tools, oldest first; empty unless busy. */
  readonly tools: readonly InferredTool[];
  readonly todos: LiveTodos;
  /** Agent of the latest message, when known. */
  readonly agent?: string;
  /** `provider/model` of the latest assistant message (or the session's model). */
  readonly model?: string;
  /** Error name of the latest assistant message (`APIError`, `MessageAbortedError`, …), when it failed. */
  readonly lastError?: string;
  /** Epoch ms of the newest write seen for the session (session, latest messages, latest step's parts, todos). */
  readonly lastActivityMs: number;
}

export interface InferredLive {
  /** Keyed by session id; only sessions updated since `sinceMs`, newest first by insertion order. */
  readonly sessions: Readonly<Record<string, InferredSession>>;
}

/** Changes between two inferences: sessions added or changed (whole records) and session ids that went away. */
export interface InferredDiff {
  readonly changed: readonly InferredSession[];
  readonly removed: readonly string[];
}

export interface InferOptions {
  /** The clock the inference is judged against (epoch ms). */
  readonly nowMs: number;
  /** Only sessions whose `time_updated` is at least this. @default nowMs − 24 h */
  readonly sinceMs?: number;
  /**
   * Whether an OpenCode process works in a directory (see `processAliveForDirectory`). A busy-looking session
   * whose directory has none is stale. @default every directory counts as alive
   */
  readonly processAlive?: (directory: string) => boolean;
  /** A busy-looking session with no write for this long is stale. @default 600000 (10 min) */
  readonly staleAfterMs?: number;
  /**
   * How long a fresh user prompt, or a step that ended with tool calls, counts as busy before the next
   * assistant message appears (OpenCode took 5 s to start the first step on a loaded 2-core machine).
   * @default 30000
   */
  readonly startGraceMs?: number;
  /** At most this many sessions (the most recently updated) are inferred. @default 50 */
  readonly maxSessions?: number;
}

export const DEFAULT_SINCE_WINDOW_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_STALE_AFTER_MS = 10 * 60 * 1000;
export const DEFAULT_START_GRACE_MS = 30_000;
export const DEFAULT_MAX_INFERRED_SESSIONS = 50;
