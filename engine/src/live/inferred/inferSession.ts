/**
 * The pure core: one session's rows and a clock in, its inferred live state out. No I/O, so every rule below
 * is tested on plain rows.
 */
import type { LiveTodos } from '../../../../shared/src/index.js';
import { chooseToolArgument } from '../state/index.js';
import type { BusyEvidence, InferredSession, InferredTool, StaleReason } from './inferredTypes.js';
import type { MessageRow, SessionRows, TodoRow, ToolPartRow } from './sessionRows.js';

export interface SessionJudgement {
  readonly nowMs: number;
  readonly alive: boolean;
  readonly staleAfterMs: number;
  readonly startGraceMs: number;
}

export function inferSession(rows: SessionRows, judge: SessionJudgement): InferredSession {
  const { session, messages } = rows;
  const latest = messages[0];
  const assistant = messages.find((m) => m.role === 'assistant');
  const tools = openTools(rows.parts);
  const lastActivityMs = Math.max(
    session.time_updated,
    ...messages.map((m) => m.time_updated),
    ...rows.parts.map((p) => p.time_updated),
    ...rows.todos.map((t) => t.time_updated),
  );
  const evidence = busyEvidence(latest, assistant, tools.length > 0, lastActivityMs, judge);
  const staleReason = evidence === undefined ? undefined : staleness(lastActivityMs, judge);
  const activity = evidence === undefined ? 'idle' : staleReason === undefined ? 'busy' : 'stale';
  const agent = latest?.agent ?? session.agent ?? undefined;
  const model = assistantModel(assistant) ?? sessionModel(session.model);
  const lastError = assistant?.error ?? undefined;
  return {
    id: session.id,
    title: session.title,
    ...(session.parent_id !== null ? { parentId: session.parent_id } : {}),
    directory: session.directory,
    activity,
    ...(evidence !== undefined ? { evidence } : {}),
    ...(staleReason !== undefined ? { staleReason } : {}),
    tools: activity === 'busy' ? tools : [],
    todos: summarizeTodos(rows.todos),
    ...(agent !== undefined ? { agent } : {}),
    ...(model !== undefined ? { model } : {}),
    ...(lastError !== undefined ? { lastError } : {}),
    lastActivityMs,
  };
}

function busyEvidence(
  latest: MessageRow | undefined,
  assistant: MessageRow | undefined,
  toolsOpen: boolean,
  lastActivityMs: number,
  judge: SessionJudgement,
): BusyEvidence | undefined {
  if (toolsOpen) return 'tool-running';
  if (assistant !== undefined && assistant.completed === null && assistant.error === null) return 'assistant-in-flight';
  // Between a prompt (or a tool-calls step) and the next assistant row the DB shows nothing running; without
  // these two rules a turn would flicker idle for the seconds OpenCode takes to start the next step.
  if (latest?.role === 'user' && judge.nowMs - latest.time_created <= judge.startGraceMs) return 'prompt-queued';
  const continues = latest === assistant && assistant?.finish === 'tool-calls' && assistant.error === null;
  if (continues && judge.nowMs - lastActivityMs <= judge.startGraceMs) return 'continuing';
  return undefined;
}

function staleness(lastActivityMs: number, judge: SessionJudgement): StaleReason | undefined {
  if (!judge.alive) return 'process-gone';
  if (judge.nowMs - lastActivityMs > judge.staleAfterMs) return 'no-activity';
  return undefined;
}

function openTools(parts: readonly ToolPartRow[]): InferredTool[] {
  const tools: InferredTool[] = [];
  for (const p of parts) {
    if (p.type !== 'tool' || (p.status !== 'pending' && p.status !== 'running')) continue;
    const tool = p.tool ?? 'unknown';
    tools.push({
      callId: p.call_id ?? p.id,
      messageId: p.message_id,
      tool,
      status: p.status,
      argument: chooseToolArgument(tool, parseInput(p.input)),
      startedMs: p.started ?? p.time_created,
    });
  }
  return tools;
}

function parseInput(json: string | null): unknown {
  if (json === null) return {};
  try {
    return JSON.parse(json) as unknown;
  } catch {
    // A half-written input of a pending tool is expected; it just has no argument to show yet.
    return {};
  }
}

function summarizeTodos(todos: readonly TodoRow[]): LiveTodos {
  let pending = 0;
  let inProgress = 0;
  let completed = 0;
  let currentLabel: string | undefined;
  let nextLabel: string | undefined;
  for (const t of todos) {
    if (t.status === 'pending') {
      pending += 1;
      nextLabel ??= t.content;
    } else if (t.status === 'in_progress') {
      inProgress += 1;
      currentLabel ??= t.content;
    } else if (t.status === 'completed') completed += 1;
  }
  return {
    pending,
    inProgress,
    completed,
    ...(currentLabel !== undefined ? { currentLabel } : {}),
    ...(nextLabel !== undefined ? { nextLabel } : {}),
  };
}

function assistantModel(m: MessageRow | undefined): string | undefined {
  if (m?.model_id == null) return undefined;
  return m.provider_id != null ? `${m.provider_id}/${m.model_id}` : m.model_id;
}

/** The session column holds `{"id","providerID","variant"}` as JSON text. */
function sessionModel(json: string | null): string | undefined {
  if (json === null) return undefined;
  try {
    const m = JSON.parse(json) as { id?: unknown; providerID?: unknown };
    if (typeof m.id !== 'string') return undefined;
    return typeof m.providerID === 'string' ? `${m.providerID}/${m.id}` : m.id;
  } catch {
    return undefined;
  }
}
