/**
 * Reads the scored tool calls back out of the `tool_calls` chunks for the security tables: only audited calls
 * (risk_kind set), with the root and project the session tree knows now (a worker may have scored a child
 * session before its parent's row arrived).
 */
import { tableFromIPC } from 'apache-arrow';
import { ACTION_KINDS, type ActionKind, type ScoredCall } from '../security/index.js';

const KINDS: ReadonlySet<string> = new Set(ACTION_KINDS);

export function readScoredCalls(
  chunks: readonly Uint8Array[],
  rootOf: (sessionId: string) => string | undefined,
  projectOf: (sessionId: string) => string | null,
): ScoredCall[] {
  const calls: ScoredCall[] = [];
  const pool = new Map<string, string>();
  const intern = (value: string): string => {
    const known = pool.get(value);
    if (known !== undefined) return known;
    pool.set(value, value);
    return value;
  };
  for (const bytes of chunks) {
    const table = tableFromIPC(bytes);
    const col = (name: string) => {
      const vector = table.getChild(name);
      if (!vector) throw new Error(`internal.bug: tool_calls chunk has no column "${name}"`);
      return vector;
    };
    const kind = col('risk_kind');
    if (kind.nullCount === table.numRows) continue;
    const [id, sessionId, rootId, tool, argument, score, reasons, mitre, scope, status, started, created] = [
      'id', 'session_id', 'root_session_id', 'tool', 'argument', 'risk_score', 'risk_reasons', 'mitre', 'risk_scope', 'status', 'started_at', 'created_at',
    ].map(col);
    for (let row = 0; row < table.numRows; row++) {
      const k = kind.get(row) as string | null;
      if (k === null || !KINDS.has(k)) continue;
      const session = intern(sessionId!.get(row) as string);
      const techniques = mitre!.get(row) as string | null;
      calls.push({
        id: id!.get(row) as string,
        sessionId: session,
        rootSessionId: rootOf(session) ?? intern(rootId!.get(row) as string),
        projectId: projectOf(session),
        kind: k as ActionKind,
        tool: intern(tool!.get(row) as string),
        target: argument!.get(row) as string | null,
        score: Number(score!.get(row)),
        reasons: reasons!.get(row) as string | null,
        mitre: techniques ? techniques.split(',') : [],
        scope: scope!.get(row) as string | null,
        status: intern(status!.get(row) as string),
        atMs: Number(started!.get(row) ?? created!.get(row)),
      });
    }
  }
  return calls;
}
