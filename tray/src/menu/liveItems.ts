/**
 * The live part of the tray (seed study §1.1–1.2, with exact permissions and questions): the title's segments,
 * and per instance its main sessions with running tools, todos and busy sub-agents, then the permission queue
 * with Allow once / Always / Reject. Pure.
 */
import type { LiveInstance, LiveRiskLevel, LiveSession, LiveState } from '../../../shared/src/index.js';

export type PermissionReply = 'once' | 'always' | 'reject';

export type MenuAction =
  | { readonly type: 'open-dashboard' }
  | { readonly type: 'retry' }
  | { readonly type: 'quit' }
  | { readonly type: 'reply-permission'; readonly permissionId: string; readonly reply: PermissionReply };

export type MenuItemSpec =
  | { readonly kind: 'label'; readonly label: string; readonly tooltip?: string }
  | { readonly kind: 'action'; readonly label: string; readonly action: MenuAction; readonly enabled: boolean }
  | { readonly kind: 'submenu'; readonly label: string; readonly items: readonly MenuItemSpec[] }
  | { readonly kind: 'separator' };

const RISK_MARK: Record<LiveRiskLevel, string> = { low: '', medium: '🟡 ', high: '🟠 ', critical: '🔴 ' };

export function cut(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function elapsedLabel(fromMs: number, nowMs: number): string {
  const s = Math.max(0, Math.floor((nowMs - fromMs) / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${s % 60}s`;
}

/** OpenCode appends "(@agent subagent)" to sub-agent titles; the menu shows the title alone. */
const titleOf = (s: LiveSession) => cut((s.title || 'Untitled').split(' (@')[0]!, 40);

const isBusy = (s: LiveSession) => s.status.type !== 'idle';

export interface LiveSummary {
  readonly busy: number;
  readonly idleInstances: number;
  readonly permissions: number;
  readonly questions: number;
  readonly openTodos: number;
}

export function summarize(live: LiveState): LiveSummary {
  let busy = 0;
  let idleInstances = 0;
  let permissions = 0;
  let questions = 0;
  let openTodos = 0;
  for (const inst of Object.values(live.instances)) {
    const sessions = Object.values(inst.sessions);
    busy += sessions.filter(isBusy).length;
    if (!sessions.some((s) => !s.parentId && isBusy(s))) idleInstances++;
    permissions += Object.keys(inst.permissions).length + sessions.filter((s) => Object.values(s.tools).some((t) => t.mayNeedPermission)).length;
    questions += Object.keys(inst.questions).length + sessions.filter((s) => s.askUser).length;
    for (const s of sessions.filter(isBusy)) openTodos += s.todos.pending + s.todos.inProgress;
  }
  return { busy, idleInstances, permissions, questions, openTodos };
}

/** The status item text: `🤖 2 💤 3 🔒 🔔 ⏳3`, each segment left out when zero. */
export function trayTitle(live: LiveState): string {
  if (Object.keys(live.instances).length === 0) return '🤖';
  const s = summarize(live);
  return ['🤖', s.busy ? String(s.busy) : '', s.idleInstances ? `💤 ${s.idleInstances}` : '', s.permissions ? '🔒' : '', s.questions ? '🔔' : '', s.openTodos ? `⏳${s.openTodos}` : '']
    .filter(Boolean)
    .join(' ');
}

function sessionLines(inst: LiveInstance, session: LiveSession, depth: number, nowMs: number): MenuItemSpec[] {
  const pad = '    '.repeat(depth);
  const asks = session.askUser !== undefined || Object.values(inst.questions).some((q) => q.sessionId === session.id);
  const head = depth === 0 ? `${asks ? '🔔' : '🤖'} ${titleOf(session)}` : `${pad}└ ${isBusy(session) ? '●' : '○'} ${titleOf(session)}`;
  const retry = session.status.type === 'retry' ? `  (retry #${session.status.attempt})` : '';
  const items: MenuItemSpec[] = [{ kind: 'label', label: head + retry, tooltip: session.title }];
  for (const tool of Object.values(session.tools)) {
    const icon = tool.mayNeedPermission ? '🔒' : '🔧';
    items.push({ kind: 'label', label: `${pad}    ${icon} ${cut(`${tool.tool}: ${tool.argument}`, 40)}  ${elapsedLabel(tool.startedMs, nowMs)}`, tooltip: tool.argument });
  }
  if (session.todos.currentLabel) items.push({ kind: 'label', label: `${pad}    🔄 ${cut(session.todos.currentLabel, 35)}` });
  if (session.todos.nextLabel) {
    const more = session.todos.pending - 1;
    items.push({ kind: 'label', label: `${pad}    ⏳ ${cut(session.todos.nextLabel, 30)}${more > 0 ? ` (+${more})` : ''}` });
  }
  for (const child of Object.values(inst.sessions).filter((c) => c.parentId === session.id && isBusy(c))) items.push(...sessionLines(inst, child, depth + 1, nowMs));
  return items;
}

function instanceName(inst: LiveInstance): string {
  if (inst.id.startsWith('db:')) return 'Terminal sessions';
  if (inst.id.startsWith('plugin:')) return `Terminal (pid ${inst.id.slice('plugin:'.length)})`;
  try {
    return `Port ${new URL(inst.url).port}`;
  } catch {
    return inst.id;
  }
}

export function liveItems(live: LiveState, nowMs: number): MenuItemSpec[] {
  const instances = Object.values(live.instances).sort((a, b) => a.id.localeCompare(b.id));
  if (instances.length === 0) return [{ kind: 'label', label: 'No OpenCode instances' }];
  const items: MenuItemSpec[] = [];
  for (const inst of instances) {
    const mains = Object.values(inst.sessions).filter((s) => (!s.parentId || !inst.sessions[s.parentId]) && isBusy(s));
    if (mains.length === 0) {
      items.push({ kind: 'label', label: `💤 ${instanceName(inst)} (${inst.connection === 'connected' ? 'idle' : inst.connection})` });
      continue;
    }
    for (const main of mains.sort((a, b) => b.updatedMs - a.updatedMs)) items.push(...sessionLines(inst, main, 0, nowMs));
  }
  const pending = instances.flatMap((inst) => Object.values(inst.permissions).map((p) => ({ inst, p })));
  if (pending.length > 0) {
    items.push({ kind: 'separator' });
    items.push({ kind: 'label', label: `Permissions waiting (${pending.length})` });
    for (const { inst, p } of pending.sort((a, b) => a.p.askedMs - b.p.askedMs)) {
      const session = inst.sessions[p.sessionId];
      const risk = p.risk ? `${RISK_MARK[p.risk.level]}` : '';
      const reason = p.risk && p.risk.level !== 'low' ? [{ kind: 'label' as const, label: `${p.risk.level.toUpperCase()} ${p.risk.score}/100: ${cut(p.risk.reasons[0] ?? '', 50)}` }] : [];
      items.push({
        kind: 'submenu',
        label: `${risk}🔒 ${p.permission}: ${cut(p.summary, 40)}`,
        items: [
          ...(session ? [{ kind: 'label' as const, label: `In ${titleOf(session)}` }] : []),
          ...reason,
          { kind: 'separator' },
          { kind: 'action', label: 'Allow once', action: { type: 'reply-permission', permissionId: p.id, reply: 'once' }, enabled: true },
          { kind: 'action', label: `Always allow ${cut(p.always.join(', ') || p.permission, 30)}`, action: { type: 'reply-permission', permissionId: p.id, reply: 'always' }, enabled: true },
          { kind: 'action', label: 'Reject', action: { type: 'reply-permission', permissionId: p.id, reply: 'reject' }, enabled: true },
        ],
      });
    }
  }
  const questions = instances.flatMap((inst) => Object.values(inst.questions));
  if (questions.length > 0) {
    items.push({ kind: 'separator' });
    for (const q of questions) items.push({ kind: 'action', label: `❓ ${cut(q.questions[0]?.question ?? 'A question', 40)} — answer in the dashboard`, action: { type: 'open-dashboard' }, enabled: true });
  }
  return items;
}
