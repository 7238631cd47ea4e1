/**
 * Which live notifications the tray shows as desktop notifications, and with what text. Pure; the Electron
 * adapter displays them.
 */
import type { LiveNotification } from '../../../shared/src/index.js';
import { cut } from './liveItems.js';

export interface DesktopNotification {
  readonly title: string;
  readonly body: string;
  /** Critical risks and permissions stay until dismissed where the platform allows. */
  readonly urgent: boolean;
}

export function desktopNotification(n: LiveNotification): DesktopNotification | undefined {
  switch (n.type) {
    case 'session.finished': {
      // A sub-agent finishing is part of its parent's turn, not news.
      if (n.parentId) return undefined;
      const left = n.todos.pending + n.todos.inProgress;
      return { title: 'Agent finished', body: `${cut(n.title || 'A session', 60)}${left > 0 ? ` — ${left} todo${left === 1 ? '' : 's'} left` : ''}`, urgent: false };
    }
    case 'permission.asked': {
      const risk = n.risk && n.risk.level !== 'low' ? ` (${n.risk.level} risk)` : '';
      return { title: `Permission asked${risk}`, body: `${n.permission}: ${cut(n.summary, 80)}`, urgent: n.risk?.level === 'critical' || n.risk?.level === 'high' };
    }
    case 'question.asked':
      return { title: 'Agent asks a question', body: cut(n.question, 100), urgent: false };
    case 'security.critical':
      return { title: 'Critical action by an agent', body: `${cut(n.summary, 80)} — ${cut(n.risk.reasons[0] ?? `score ${n.risk.score}`, 60)}`, urgent: true };
  }
}
