/**
 * Pure rules for answering from the page and for telling the user what happened: how option clicks become the
 * `answers` body of a question reply, and which notifications are new since the page last looked.
 */
import type { LiveNotification, LiveQuestionItem } from '../../../shared/src/index.js';

/** Chosen labels per question item, by item index. */
export type QuestionSelection = readonly (readonly string[])[];

export function emptySelection(items: readonly LiveQuestionItem[]): QuestionSelection {
  return items.map(() => []);
}

/**
 * A click on an option: in a multiple-choice item it toggles the label; in a single-choice item it replaces
 * the choice (clicking the chosen one again clears it).
 */
export function toggleOption(selection: QuestionSelection, items: readonly LiveQuestionItem[], itemIndex: number, label: string): QuestionSelection {
  const item = items[itemIndex];
  if (!item) return selection;
  return items.map((_, i) => {
    const chosen = selection[i] ?? [];
    if (i !== itemIndex) return chosen;
    if (chosen.includes(label)) return chosen.filter((l) => l !== label);
    return item.multiple ? [...chosen, label] : [label];
  });
}

/**
 * A single single-choice question is answered by the click itself, as in OpenCode's own prompt; anything
 * else (several questions, or multiple choice) is collected first and sent with one button.
 */
export function answersOnClick(items: readonly LiveQuestionItem[]): boolean {
  return items.length === 1 && !items[0]?.multiple;
}

/** The reply body's `answers` once every item has a choice, or undefined while one is still missing. */
export function answersFor(items: readonly LiveQuestionItem[], selection: QuestionSelection): string[][] | undefined {
  const answers = items.map((_, i) => [...(selection[i] ?? [])]);
  return answers.every((a) => a.length > 0) ? answers : undefined;
}

/**
 * The notifications that arrived after `lastSeen` (compared by identity), oldest first. The client keeps a
 * bounded list, so when `lastSeen` has already been dropped from it every entry is new.
 */
export function unseenNotifications<T>(list: readonly T[], lastSeen: T | undefined): T[] {
  if (lastSeen === undefined) return [...list];
  const at = list.lastIndexOf(lastSeen);
  return at < 0 ? [...list] : list.slice(at + 1);
}

export interface NotificationText {
  readonly title: string;
  readonly detail: string;
  /** Colour hint: a finished turn is good news, a request needs the user, a critical finding is an alarm. */
  readonly tone: 'info' | 'attention' | 'alarm';
}

export function describeNotification(n: LiveNotification): NotificationText {
  switch (n.type) {
    case 'session.finished': {
      const open = n.todos.pending + n.todos.inProgress;
      return { title: `${n.parentId ? 'Sub-agent' : 'Session'} finished`, detail: open > 0 ? `${n.title} (${open} todo${open === 1 ? '' : 's'} left)` : n.title, tone: 'info' };
    }
    case 'permission.asked':
      return { title: `Permission asked: ${n.permission}${n.risk ? ` (${n.risk.level})` : ''}`, detail: n.summary, tone: 'attention' };
    case 'question.asked':
      return { title: 'Question asked', detail: n.question, tone: 'attention' };
    case 'security.critical':
      return { title: 'Critical security finding', detail: `${n.summary} (score ${n.risk.score})`, tone: 'alarm' };
  }
}
