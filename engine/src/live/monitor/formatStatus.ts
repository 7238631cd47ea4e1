/**
 * `status` as text: instances, their sessions (sub-agents indented under their parent) with busy/idle/retry,
 * running tools with elapsed time, pending permissions with their risk, questions and todos. Pure.
 */
import type { LiveInstance, LiveSession, LiveState } from '../../../../shared/src/index.js';

const elapsed = (fromMs: number, nowMs: number): string => {
  const s = Math.max(0, Math.round((nowMs - fromMs) / 1000));
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
};

const oneLine = (text: string, max = 80): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

function statusLabel(session: LiveSession, nowMs: number): string {
  const status = session.status;
  if (status.type === 'busy') return 'busy ';
  if (status.type === 'retry') return `retry #${status.attempt} in ${elapsed(nowMs, status.nextMs)} (${oneLine(status.message, 40)})`;
  return 'idle ';
}

function sessionLines(inst: LiveInstance, session: LiveSession, depth: number, nowMs: number, out: string[]): void {
  const pad = '  '.repeat(depth + 1);
  const who = [session.agent, session.model].filter(Boolean).join(' · ');
  out.push(`${pad}${statusLabel(session, nowMs)} ${oneLine(session.title || '(untitled)', 60)}  ${session.id}${who ? `  ${who}` : ''}`);
  for (const tool of Object.values(session.tools)) {
    out.push(`${pad}    ▸ ${tool.tool} ${oneLine(tool.argument, 70)}  ${elapsed(tool.startedMs, nowMs)}${tool.mayNeedPermission ? '  (may need permission)' : ''}`);
  }
  for (const p of Object.values(inst.permissions).filter((p) => p.sessionId === session.id)) {
    const risk = p.risk ? `  ${p.risk.level.toUpperCase()} ${p.risk.score}${p.risk.reasons[0] ? `: ${oneLine(p.risk.reasons[0], 50)}` : ''}` : '';
    out.push(`${pad}    ⚠ permission ${p.permission}: ${oneLine(p.summary, 60)}${risk}  [${p.id}]`);
  }
  for (const q of Object.values(inst.questions).filter((q) => q.sessionId === session.id)) {
    out.push(`${pad}    ? question: ${oneLine(q.questions[0]?.question ?? '', 70)}  [${q.id}]`);
  }
  if (session.askUser) out.push(`${pad}    ? asks: ${oneLine(session.askUser.question, 70)}`);
  const t = session.todos;
  if (t.pending + t.inProgress + t.completed > 0) {
    out.push(`${pad}    todos ${t.completed}/${t.pending + t.inProgress + t.completed} done${t.currentLabel ? `; now: ${oneLine(t.currentLabel, 40)}` : ''}${t.nextLabel ? `; next: ${oneLine(t.nextLabel, 40)}` : ''}`);
  }
  const children = Object.values(inst.sessions).filter((s) => s.parentId === session.id).sort((a, b) => a.updatedMs - b.updatedMs);
  for (const child of children) sessionLines(inst, child, depth + 1, nowMs, out);
}

export function formatStatus(state: LiveState, nowMs: number): string {
  const instances = Object.values(state.instances).sort((a, b) => a.id.localeCompare(b.id));
  if (instances.length === 0) return 'No running OpenCode found.\n';
  const out: string[] = [];
  for (const inst of instances) {
    const kind = inst.id.startsWith('db:') ? 'terminal sessions (from the database)' : inst.id.startsWith('plugin:') ? 'terminal (plugin)' : inst.url;
    out.push(`${kind}  ${inst.connection}${inst.version ? `  v${inst.version}` : ''}${inst.lastError ? `  (${oneLine(inst.lastError, 60)})` : ''}`);
    const sessions = Object.values(inst.sessions);
    const ids = new Set(sessions.map((s) => s.id));
    const roots = sessions.filter((s) => !s.parentId || !ids.has(s.parentId)).sort((a, b) => b.updatedMs - a.updatedMs);
    if (roots.length === 0) out.push('  no recent sessions');
    for (const root of roots) sessionLines(inst, root, 0, nowMs, out);
  }
  return `${out.join('\n')}\n`;
}
