/**
 * A part body (DB `part.data` plus id columns, or a legacy part file) → the rows it contributes: always one
 * `parts` row, plus a tool call, file operations, a step event, a skill or a delegation, depending on type.
 * Pure and total: an unknown part type is kept (and reported), never dropped.
 */
import type { RowOf } from '../../../shared/src/index.js';
import { auditActionOf, redact, type AuditAction } from '../security/index.js';
import type { SourceKind } from './sessions.js';
import { count, INPUT_JSON_CHARS, isObject, num, numOrNull, obj, preview, str, type Json } from './text.js';
import { parseTokens, tokenCells } from './tokens.js';

export const KNOWN_PART_TYPES: ReadonlySet<string> = new Set([
  'text', 'reasoning', 'tool', 'step-start', 'step-finish', 'patch', 'snapshot', 'file', 'agent', 'subtask', 'compaction', 'retry',
]);

/** OpenCode's own tools; anything else (MCP servers, plugins) is marked `is_mcp`. */
export const BUILTIN_TOOLS: ReadonlySet<string> = new Set([
  'bash', 'edit', 'glob', 'grep', 'list', 'ls', 'lsp', 'multiedit', 'patch', 'apply_patch', 'question', 'read', 'skill', 'task',
  'todoread', 'todowrite', 'webfetch', 'websearch', 'codesearch', 'write', 'batch', 'invalid',
]);

const FILE_TOOLS: Readonly<Record<string, string>> = { read: 'read', write: 'write', edit: 'edit', multiedit: 'edit', patch: 'patch', apply_patch: 'patch' };

export interface PartIds {
  readonly id: string;
  readonly messageId: string;
  readonly sessionId: string;
  readonly rootSessionId: string;
  /** DB `time_created`, used when the body records no time of its own. */
  readonly createdAt?: number;
  /** SQLite rowid; absent for a legacy file. */
  readonly rowid?: number;
}

export type DelegationBase = Pick<
  RowOf<'delegations'>,
  'id' | 'parent_session_id' | 'root_session_id' | 'child_session_id' | 'child_agent' | 'description' | 'status' | 'started_at' | 'ended_at'
> & { readonly message_id: string };

export interface PartOutput {
  readonly part: RowOf<'parts'>;
  readonly toolCall?: RowOf<'tool_calls'>;
  readonly fileOperations: RowOf<'file_operations'>[];
  readonly stepEvent?: RowOf<'step_events'>;
  readonly skill?: RowOf<'skills'>;
  readonly delegation?: DelegationBase;
  /** What the security audit scores for a tool call (raw, unredacted: it never leaves the worker). */
  readonly audit?: AuditAction;
  /** Set for a part type this version does not know. */
  readonly unknownType?: string;
}

/**
 * The argument a person wants to see for a tool call, in the original monitor's order (seed study §1.2),
 * extended with url and query for web tools.
 */
export function toolArgument(input: Json): string | null {
  for (const key of ['command', 'filePath', 'file_path', 'path', 'url', 'pattern', 'query', 'description', 'name']) {
    const value = input[key];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  const prompt = str(input.prompt);
  return prompt ? prompt.slice(0, 50) : null;
}

function inputJson(input: Json): string | null {
  if (Object.keys(input).length === 0) return null;
  const text = JSON.stringify(input);
  return text.length > INPUT_JSON_CHARS ? `${text.slice(0, INPUT_JSON_CHARS)}…` : text;
}

/** Paths a file tool touched: one for read/write/edit, several for patch tools. */
function filePaths(tool: string, input: Json, metadata: Json): string[] {
  const single = str(input.filePath) ?? str(input.file_path) ?? str(input.path);
  if (single) return [single];
  if (tool === 'patch' || tool === 'apply_patch') {
    const files = metadata.files ?? input.files;
    if (Array.isArray(files)) return files.map((f) => (typeof f === 'string' ? f : str(obj(f).filePath) ?? str(obj(f).path))).filter((f): f is string => !!f);
    const patch = str(input.patchText) ?? str(input.patch);
    if (patch) return [...patch.matchAll(/^\*\*\* (?:Add|Update|Delete) File: (.+)$/gm)].map((m) => m[1]!.trim());
  }
  return [];
}

function toolOutputs(ids: PartIds, data: Json, base: RowOf<'parts'>): Omit<PartOutput, 'part' | 'unknownType'> {
  const tool = str(data.tool) ?? 'unknown';
  const state = obj(data.state);
  const input = obj(state.input);
  const metadata = obj(state.metadata);
  const time = obj(state.time);
  const status = str(state.status) ?? 'unknown';
  const started = numOrNull(time.start);
  const ended = numOrNull(time.end);
  const output = str(state.output);
  const childSessionId = tool === 'task' ? (str(metadata.sessionId) ?? str(metadata.sessionID)) : null;
  const toolCall: RowOf<'tool_calls'> = {
    id: ids.id,
    session_id: ids.sessionId,
    root_session_id: ids.rootSessionId,
    message_id: ids.messageId,
    call_id: str(data.callID),
    tool,
    is_mcp: !BUILTIN_TOOLS.has(tool),
    status,
    title: redact(preview(state.title, 200)),
    argument: redact(preview(toolArgument(input), 400)),
    input_json: redact(inputJson(input)),
    error: redact(preview(state.error, 400)),
    started_at: started,
    ended_at: ended,
    duration_ms: started !== null && ended !== null ? Math.max(0, ended - started) : null,
    output_bytes: output ? output.length : 0,
    child_session_id: childSessionId,
    created_at: base.created_at,
    risk_kind: null,
    risk_score: 0,
    risk_level: null,
    risk_reasons: null,
    mitre: null,
    risk_scope: null,
    source_rowid: base.source_rowid,
  };
  const operation = FILE_TOOLS[tool];
  const paths = operation ? filePaths(tool, input, metadata) : [];
  const audit = auditActionOf(tool, input, paths, BUILTIN_TOOLS.has(tool));
  const filediff = obj(metadata.filediff);
  const fileOperations: RowOf<'file_operations'>[] = operation
    ? paths.map((path, index, all) => ({
        id: `${ids.id}:${index}`,
        part_id: ids.id,
        session_id: ids.sessionId,
        root_session_id: ids.rootSessionId,
        operation,
        path,
        status,
        additions: all.length === 1 && isObject(metadata.filediff) ? count(filediff.additions) : null,
        deletions: all.length === 1 && isObject(metadata.filediff) ? count(filediff.deletions) : null,
        at: started ?? base.created_at,
        source_rowid: base.source_rowid,
      }))
    : [];
  const skillName = tool === 'skill' ? (str(input.name) ?? str(input.skill)) : null;
  return {
    toolCall,
    fileOperations,
    ...(audit ? { audit } : {}),
    ...(skillName ? { skill: { id: ids.id, session_id: ids.sessionId, skill: skillName, status, at: started ?? base.created_at, source_rowid: base.source_rowid } } : {}),
    ...(tool === 'task'
      ? {
          delegation: {
            id: ids.id,
            message_id: ids.messageId,
            parent_session_id: ids.sessionId,
            root_session_id: ids.rootSessionId,
            child_session_id: childSessionId,
            child_agent: str(input.subagent_type) ?? str(input.agent),
            description: redact(preview(input.description ?? input.prompt, 200)),
            status,
            started_at: started,
            ended_at: ended,
          },
        }
      : {}),
  };
}

export function partOutputs(ids: PartIds, data: Json, bytes: number, source: SourceKind): PartOutput {
  const type = str(data.type) ?? 'unknown';
  const known = KNOWN_PART_TYPES.has(type);
  const time = obj(data.time);
  const stateTime = obj(obj(data.state).time);
  const started = numOrNull(time.start) ?? numOrNull(stateTime.start) ?? numOrNull(time.created);
  const ended = numOrNull(time.end) ?? numOrNull(stateTime.end);
  const createdAt = started ?? ids.createdAt ?? 0;
  const state = obj(data.state);
  const shown =
    type === 'text' || type === 'reasoning' ? data.text
    : type === 'tool' ? (state.title ?? toolArgument(obj(state.input)) ?? data.tool)
    : type === 'file' ? (data.filename ?? data.url)
    : type === 'agent' ? data.name
    : type === 'subtask' ? (data.description ?? data.prompt)
    : type === 'step-finish' ? data.reason
    : type === 'patch' && Array.isArray(data.files) ? data.files.join(', ')
    : type === 'retry' ? obj(obj(data.error).data).message
    : null;
  const part: RowOf<'parts'> = {
    id: ids.id,
    message_id: ids.messageId,
    session_id: ids.sessionId,
    type,
    is_known_type: known,
    tool: type === 'tool' ? (str(data.tool) ?? 'unknown') : null,
    status: type === 'tool' ? (str(state.status) ?? 'unknown') : null,
    created_at: createdAt,
    started_at: started,
    ended_at: ended,
    preview: redact(preview(shown)),
    bytes,
    source,
    source_rowid: ids.rowid ?? -1,
  };
  if (!known) return { part, fileOperations: [], unknownType: type };
  if (type === 'tool') return { part, ...toolOutputs(ids, data, part) };
  if (type === 'step-finish') {
    return {
      part,
      fileOperations: [],
      stepEvent: {
        id: ids.id,
        session_id: ids.sessionId,
        message_id: ids.messageId,
        reason: str(data.reason),
        ...tokenCells('tokens', parseTokens(data.tokens)),
        cost: Math.max(0, num(data.cost)),
        at: createdAt,
        source_rowid: part.source_rowid,
      },
    };
  }
  if (type === 'patch' && Array.isArray(data.files)) {
    const files = data.files.filter((f): f is string => typeof f === 'string');
    return {
      part,
      fileOperations: files.map((path, index) => ({
        id: `${ids.id}:${index}`,
        part_id: ids.id,
        session_id: ids.sessionId,
        root_session_id: ids.rootSessionId,
        operation: 'patch',
        path,
        status: 'applied',
        additions: null,
        deletions: null,
        at: createdAt,
        source_rowid: part.source_rowid,
      })),
    };
  }
  return { part, fileOperations: [] };
}

/** Legacy part files hold the whole object, ids included. */
export function partIdsFromJson(value: Json): { id: string; messageId: string; sessionId: string } | undefined {
  const id = str(value.id);
  const messageId = str(value.messageID);
  const sessionId = str(value.sessionID);
  return id && messageId && sessionId ? { id, messageId, sessionId } : undefined;
}
