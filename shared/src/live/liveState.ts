/**
 * The live state of every followed OpenCode instance: the one structure the engine keeps up to date from each
 * instance's event stream and sends to the tray and the dashboard (issue 5, "State followed per instance").
 *
 * Collections are records keyed by id rather than arrays so a change can be addressed by a stable path
 * (see liveDiff.ts). Sessions are kept flat per instance; `parentId` is how sub-agents nest under their parent.
 */

/** Bump when a field changes meaning or is removed; adding an optional field does not need a bump. */
export const LIVE_STATE_VERSION = 1;

/** Risk bands of a 0–100 score, as the security module computes them. */
export type LiveRiskLevel = 'low' | 'medium' | 'high' | 'critical';

/** The security module's verdict on a pending permission, attached by the engine. */
export interface LiveRisk {
  readonly score: number;
  readonly level: LiveRiskLevel;
  /** Most important first; never contains a raw secret. */
  readonly reasons: readonly string[];
}

/**
 * busy: a turn is running. idle: nothing runs. retry: the provider failed and OpenCode waits before attempt
 * `attempt`; `nextMs` is the epoch time of the next try.
 */
export type LiveSessionStatus =
  | { readonly type: 'busy' }
  | { readonly type: 'idle' }
  | { readonly type: 'retry'; readonly attempt: number; readonly message: string; readonly nextMs: number };

/** A tool call that has started and not yet ended. */
export interface LiveTool {
  readonly callId: string;
  readonly messageId: string;
  /** Tool name as OpenCode reports it (`bash`, `read`, an MCP tool, …). */
  readonly tool: string;
  /** pending: the model is still streaming its input; running: executing (or waiting for a permission). */
  readonly status: 'pending' | 'running';
  /**
   * The one argument worth showing, chosen as the original monitor did (bash → command, read/write/edit →
   * file path, webfetch → URL, task → description and sub-agent, others → first string argument), already
   * redacted by the engine. Empty while the input is still streaming.
   */
  readonly argument: string;
  /** Epoch ms the tool started; elapsed time is computed by the viewer. */
  readonly startedMs: number;
  /**
   * Fallback for OpenCode versions without a permission API: the tool has run longer than the threshold
   * (5 s by default) and may be waiting for the user.
   */
  readonly mayNeedPermission?: boolean;
}

/** Summary of a session's todo list. */
export interface LiveTodos {
  readonly pending: number;
  readonly inProgress: number;
  readonly completed: number;
  /** Content of the first in-progress item. */
  readonly currentLabel?: string;
  /** Content of the first pending item. */
  readonly nextLabel?: string;
}

/** A question asked through the MCP `notify_ask_user` tool (old OpenCode, no question API). */
export interface LiveAskUser {
  readonly callId: string;
  readonly title: string;
  readonly question: string;
  readonly options: readonly string[];
  readonly urgency: string;
  readonly askedMs: number;
}

export interface LiveSession {
  readonly id: string;
  readonly title: string;
  /** Set for sub-agent sessions: the session that delegated to this one. */
  readonly parentId?: string;
  readonly directory: string;
  readonly status: LiveSessionStatus;
  /** Agent of the latest message (`build`, `plan`, …), when known. */
  readonly agent?: string;
  /** `provider/model` of the latest assistant message, when known. */
  readonly model?: string;
  /** Running and pending tool calls, keyed by call id. */
  readonly tools: Readonly<Record<string, LiveTool>>;
  readonly todos: LiveTodos;
  readonly askUser?: LiveAskUser;
  /** Epoch ms of the last change OpenCode reported for the session. */
  readonly updatedMs: number;
}

/** A pending permission request (exact, from `GET /permission` and `permission.asked`). */
export interface LivePermission {
  readonly id: string;
  readonly sessionId: string;
  /** Permission kind: `bash`, `edit`, `webfetch`, `external_directory`, … (legacy `type`). */
  readonly permission: string;
  readonly patterns: readonly string[];
  /** Patterns an "always" answer would allow from now on. */
  readonly always: readonly string[];
  /** One line describing what is asked (the command, the file, the URL), already redacted. */
  readonly summary: string;
  /** Project directory of the OpenCode instance that owns the request; replies are routed to it. */
  readonly directory?: string;
  readonly tool?: { readonly messageId: string; readonly callId: string };
  readonly risk?: LiveRisk;
  readonly askedMs: number;
}

export interface LiveQuestionItem {
  readonly question: string;
  readonly header?: string;
  readonly options: readonly { readonly label: string; readonly description?: string }[];
  readonly multiple?: boolean;
}

/** A pending question of OpenCode's question tool. */
export interface LiveQuestion {
  readonly id: string;
  readonly sessionId: string;
  readonly questions: readonly LiveQuestionItem[];
  readonly directory?: string;
  readonly tool?: { readonly messageId: string; readonly callId: string };
  readonly askedMs: number;
}

/** connecting: first contact or re-seeding; connected: the event stream is live; disconnected: gone or dead. */
export type LiveConnection = 'connecting' | 'connected' | 'disconnected';

export interface LiveInstance {
  readonly id: string;
  readonly url: string;
  readonly connection: LiveConnection;
  /** Why the instance is disconnected, for display. */
  readonly lastError?: string;
  readonly version?: string;
  /** False when the instance answered `GET /permission` with 404: only the heuristics can tell. */
  readonly permissionApi: boolean;
  readonly sessions: Readonly<Record<string, LiveSession>>;
  readonly permissions: Readonly<Record<string, LivePermission>>;
  readonly questions: Readonly<Record<string, LiveQuestion>>;
  /** Events of a type this version does not know; they are ignored. */
  readonly ignoredEvents: number;
}

export interface LiveState {
  readonly version: typeof LIVE_STATE_VERSION;
  readonly instances: Readonly<Record<string, LiveInstance>>;
}

export function emptyLiveState(): LiveState {
  return { version: LIVE_STATE_VERSION, instances: {} };
}

export const NO_TODOS: LiveTodos = { pending: 0, inProgress: 0, completed: 0 };

/** Sub-agent sessions of `sessionId` (direct children only), oldest change first. */
export function childSessions(instance: LiveInstance, sessionId: string): LiveSession[] {
  return Object.values(instance.sessions)
    .filter((s) => s.parentId === sessionId)
    .sort((a, b) => a.updatedMs - b.updatedMs);
}
