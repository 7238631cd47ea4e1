/**
 * Reads the scored tool calls back out of the `tool_calls` chunks for the security tables: only audited calls
 * (risk_kind set), with the root and project the session tree knows now (a worker may have scored a child
 * session before its parent's row arrived).
 */
import { tableFromIPC } from 'apache-arrow';
import { SECURITY_EVENTS_TABLE, SECURITY_FINDINGS_TABLE } from '../../../shared/src/index.js';
import { buildIpc } from '../arrow/index.js';
import { buildSecurityTables, type ScoredCall } from './auditTables.js';
import { ruleSetOf, type SequenceRule, type SequenceRuleSet } from './sequence/rules.js';
import { ACTION_KINDS, type ActionKind } from './types.js';

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

/**
 * What the security tables are computed from, as plain data a worker thread can receive: the scored `tool_calls`
 * chunks, where each session sits now, and the sequence rules.
 */
export interface SecurityJob {
  readonly toolCalls: readonly Uint8Array[];
  /** Every session of the tree → its root session now. */
  readonly roots: ReadonlyMap<string, string>;
  /** Every session → its project. */
  readonly projects: ReadonlyMap<string, string | null>;
  readonly rules: readonly SequenceRule[];
}

/** The `security_events` and `security_findings` tables as Arrow IPC. */
export interface SecurityTablesIpc {
  readonly events: Uint8Array;
  readonly findings: Uint8Array;
}

/** The rules last compiled: a worker computes the tables many times with the same rules, each job a fresh copy. */
let lastRules: { json: string; ruleSet: SequenceRuleSet } | undefined;

function rulesFor(rules: readonly SequenceRule[]): SequenceRuleSet {
  const json = JSON.stringify(rules);
  if (lastRules?.json !== json) lastRules = { json, ruleSet: ruleSetOf(rules) };
  return lastRules.ruleSet;
}

/** @param ruleSet the compiled `job.rules`, when the caller has them (else they are compiled here, once). */
export function computeSecurityTables(job: SecurityJob, ruleSet?: SequenceRuleSet): SecurityTablesIpc {
  const projectOf = (sessionId: string): string | null => job.projects.get(sessionId) ?? null;
  const audit = buildSecurityTables(readScoredCalls(job.toolCalls, (id) => job.roots.get(id), projectOf), ruleSet ?? rulesFor(job.rules));
  return { events: buildIpc(SECURITY_EVENTS_TABLE, audit.events), findings: buildIpc(SECURITY_FINDINGS_TABLE, audit.findings) };
}
