/**
 * The slice of OpenCode 1.18's API types the harness uses (full types: @opencode-ai/sdk `types.gen.d.ts`).
 * Kept loose on purpose (index signatures): the harness must not break when OpenCode adds fields.
 */

export interface SessionInfo {
  id: string;
  title: string;
  parentID?: string;
  directory: string;
  projectID: string;
  [key: string]: unknown;
}

export interface MessageInfo {
  id: string;
  sessionID: string;
  role: 'user' | 'assistant';
  error?: { name: string; data?: Record<string, unknown> };
  finish?: string;
  time: { created: number; completed?: number };
  [key: string]: unknown;
}

export interface PartInfo {
  id: string;
  type: string;
  tool?: string;
  state?: { status: string; [key: string]: unknown };
  text?: string;
  [key: string]: unknown;
}

/** One entry of `GET /session/:id/message` and the answer of a synchronous prompt. */
export interface MessageWithParts {
  info: MessageInfo;
  parts: PartInfo[];
}

export interface PermissionRequest {
  id: string;
  sessionID: string;
  permission: string;
  patterns: string[];
  metadata?: Record<string, unknown>;
  always?: string[];
  tool?: { messageID: string; callID: string };
}

export interface QuestionRequest {
  id: string;
  sessionID: string;
  questions: Array<{ question: string; header?: string; options?: Array<{ label: string; description?: string }> }>;
  tool?: { messageID: string; callID: string };
  [key: string]: unknown;
}

export type SessionStatus =
  | { type: 'busy' }
  | { type: 'idle' }
  | { type: 'retry'; attempt: number; message: string; next: number; [key: string]: unknown };

/** A session-level permission rule (`POST /session {permission}`); the last matching rule wins. */
export interface PermissionRule {
  permission: string;
  pattern: string;
  action: 'allow' | 'ask' | 'deny';
}

/** An event of `/global/event`, unwrapped from its `{directory, payload}` envelope. */
export interface OpencodeEvent {
  type: string;
  properties: Record<string, unknown>;
  directory?: string;
  /** Date.now() when the harness received it. */
  receivedAt: number;
  /** The JSON as received. */
  raw: unknown;
}
