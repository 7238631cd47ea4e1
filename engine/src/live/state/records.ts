/**
 * Pure conversions from OpenCode's API records (as served by `GET /session`, `/session/status`, `/permission`,
 * `/question`, `/session/:id/todo` and carried by the matching events) to the shared live-state records.
 */
import { NO_TODOS } from '../../../../shared/src/index.js';
import type { LivePermission, LiveQuestion, LiveQuestionItem, LiveRisk, LiveSessionStatus, LiveTodos } from '../../../../shared/src/index.js';
import { isLoose, list, loose, num, str, strings } from './openCodeEvent.js';
import type { Loose } from './openCodeEvent.js';

/** What the injected security scorer sees: the raw request, before redaction. */
export interface PermissionToScore {
  readonly sessionId: string;
  readonly permission: string;
  readonly patterns: readonly string[];
  readonly metadata: Loose;
  readonly directory?: string;
}

export interface RecordOptions {
  /** Removes secrets from text shown to the user (tool arguments, permission summaries). @default identity */
  readonly redact?: (text: string) => string;
  /** Scores a pending permission; the engine wires the security module in here. */
  readonly scorePermission?: (permission: PermissionToScore) => LiveRisk | undefined;
}

export function toSessionStatus(raw: unknown): LiveSessionStatus {
  const s = loose(raw);
  if (s.type === 'idle') return { type: 'idle' };
  if (s.type === 'retry') return { type: 'retry', attempt: num(s.attempt) ?? 0, message: str(s.message) ?? '', nextMs: num(s.next) ?? 0 };
  // Older servers listed busy sessions with values the original monitor ignored: presence means busy.
  return { type: 'busy' };
}

export function sameStatus(a: LiveSessionStatus, b: LiveSessionStatus): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'retry' && b.type === 'retry') return a.attempt === b.attempt && a.message === b.message && a.nextMs === b.nextMs;
  return true;
}

/** Fields of a session that its `Session` record (API or event `info`) carries. */
export interface SessionFields {
  readonly title: string;
  readonly directory: string;
  readonly parentId?: string;
  readonly agent?: string;
  readonly model?: string;
  readonly updatedMs?: number;
}

export function toSessionFields(info: unknown): SessionFields | undefined {
  const i = loose(info);
  if (str(i.id) === undefined) return undefined;
  const parentId = str(i.parentID);
  const agent = str(i.agent);
  const model = modelName(i.model);
  const updatedMs = num(loose(i.time).updated) ?? num(loose(i.time).created);
  return {
    title: str(i.title) ?? '',
    directory: str(i.directory) ?? '',
    ...(parentId !== undefined ? { parentId } : {}),
    ...(agent !== undefined ? { agent } : {}),
    ...(model !== undefined ? { model } : {}),
    ...(updatedMs !== undefined ? { updatedMs } : {}),
  };
}

/** `provider/model` from a session's `{id, providerID}`, a user message's `{providerID, modelID}` or an assistant message. */
export function modelName(raw: unknown): string | undefined {
  const m = loose(raw);
  const model = str(m.modelID) ?? str(m.id);
  const provider = str(m.providerID);
  if (model === undefined) return undefined;
  return provider !== undefined ? `${provider}/${model}` : model;
}

export function summarizeTodos(raw: unknown): LiveTodos {
  let pending = 0;
  let inProgress = 0;
  let completed = 0;
  let currentLabel: string | undefined;
  let nextLabel: string | undefined;
  for (const t of list(raw)) {
    const todo = loose(t);
    const content = str(todo.content) ?? '';
    if (todo.status === 'pending') {
      pending += 1;
      nextLabel ??= content;
    } else if (todo.status === 'in_progress') {
      inProgress += 1;
      currentLabel ??= content;
    } else if (todo.status === 'completed') completed += 1;
  }
  if (pending + inProgress + completed === 0) return NO_TODOS;
  return { pending, inProgress, completed, ...(currentLabel !== undefined ? { currentLabel } : {}), ...(nextLabel !== undefined ? { nextLabel } : {}) };
}

export function sameTodos(a: LiveTodos, b: LiveTodos): boolean {
  return a.pending === b.pending && a.inProgress === b.inProgress && a.completed === b.completed && a.currentLabel === b.currentLabel && a.nextLabel === b.nextLabel;
}

const toolRef = (raw: unknown, messageKey = 'messageID', callKey = 'callID'): { messageId: string; callId: string } | undefined => {
  const t = loose(raw);
  const messageId = str(t[messageKey]);
  const callId = str(t[callKey]);
  return messageId !== undefined && callId !== undefined ? { messageId, callId } : undefined;
};

/**
 * A pending permission from `GET /permission` / `permission.asked`, or the pre-2026 `permission.updated` shape
 * (`{id, type, pattern, title, messageID, callID, time}`). Undefined when it names no request or session.
 */
export function toPermission(raw: unknown, opts: RecordOptions & { nowMs: number; directory?: string }): LivePermission | undefined {
  const p = loose(raw);
  const id = str(p.id);
  const sessionId = str(p.sessionID);
  if (id === undefined || sessionId === undefined) return undefined;
  const permission = str(p.permission) ?? str(p.type) ?? 'unknown';
  const patterns = strings(p.patterns ?? p.pattern);
  const metadata = loose(p.metadata);
  const tool = toolRef(p.tool) ?? toolRef(p);
  const redact = opts.redact ?? ((t: string) => t);
  const risk = opts.scorePermission?.({ sessionId, permission, patterns, metadata, ...(opts.directory !== undefined ? { directory: opts.directory } : {}) });
  return {
    id,
    sessionId,
    permission,
    patterns: patterns.map(redact),
    always: strings(p.always).map(redact),
    summary: redact(permissionSummary(permission, patterns, metadata, str(p.title))),
    ...(opts.directory !== undefined ? { directory: opts.directory } : {}),
    ...(tool !== undefined ? { tool } : {}),
    ...(risk !== undefined ? { risk } : {}),
    askedMs: num(loose(p.time).created) ?? opts.nowMs,
  };
}

function permissionSummary(permission: string, patterns: readonly string[], metadata: Loose, title: string | undefined): string {
  const fromMeta = [metadata.command, metadata.filepath, metadata.filePath, metadata.path, metadata.url].find((v): v is string => typeof v === 'string' && v !== '');
  return fromMeta ?? (patterns.length > 0 ? patterns.join(' ') : (title ?? permission));
}

export function toQuestion(raw: unknown, opts: { nowMs: number; directory?: string }): LiveQuestion | undefined {
  const q = loose(raw);
  const id = str(q.id);
  const sessionId = str(q.sessionID);
  if (id === undefined || sessionId === undefined) return undefined;
  const questions = list(q.questions).filter(isLoose).map(toQuestionItem);
  const tool = toolRef(q.tool);
  return {
    id,
    sessionId,
    questions,
    ...(opts.directory !== undefined ? { directory: opts.directory } : {}),
    ...(tool !== undefined ? { tool } : {}),
    askedMs: num(loose(q.time).created) ?? opts.nowMs,
  };
}

function toQuestionItem(item: Loose): LiveQuestionItem {
  const header = str(item.header);
  const options = list(item.options)
    .filter(isLoose)
    .map((o) => {
      const description = str(o.description);
      return { label: str(o.label) ?? '', ...(description !== undefined ? { description } : {}) };
    });
  return {
    question: str(item.question) ?? '',
    ...(header !== undefined ? { header } : {}),
    options,
    ...(typeof item.multiple === 'boolean' ? { multiple: item.multiple } : {}),
  };
}
