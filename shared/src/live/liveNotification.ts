/**
 * Moments worth telling the user about, emitted alongside state diffs. The tray and the dashboard decide how
 * (or whether) to show them; the engine only says that they happened.
 */
import type { LiveRisk, LiveTodos } from './liveState.js';

export type LiveNotification =
  /** A session went from busy (or retry) to idle: its turn is over. */
  | {
      readonly type: 'session.finished';
      readonly instanceId: string;
      readonly sessionId: string;
      readonly title: string;
      readonly parentId?: string;
      readonly todos: LiveTodos;
      readonly timeMs: number;
    }
  | {
      readonly type: 'permission.asked';
      readonly instanceId: string;
      readonly sessionId: string;
      readonly permissionId: string;
      readonly permission: string;
      readonly summary: string;
      readonly risk?: LiveRisk;
      readonly timeMs: number;
    }
  | {
      readonly type: 'question.asked';
      readonly instanceId: string;
      readonly sessionId: string;
      /** The question request id, or `ask_user:<callId>` for the MCP notify_ask_user fallback. */
      readonly questionId: string;
      readonly question: string;
      readonly timeMs: number;
    }
  /** A pending action scored critical by the security module. */
  | {
      readonly type: 'security.critical';
      readonly instanceId: string;
      readonly sessionId: string;
      readonly summary: string;
      readonly risk: LiveRisk;
      readonly timeMs: number;
    };

export type LiveNotificationType = LiveNotification['type'];
