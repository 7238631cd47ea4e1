import { column as c, type TableSpec } from './columns.js';

/**
 * Bumped whenever a table or column changes meaning; the engine rebuilds its persisted state on a change.
 * History: 1 = sources only (foundation); 2 = the ingest tables; 3 = source_rowid on per-record tables;
 * 4 = risk columns on tool_calls, security_events and security_findings.
 */
export const SCHEMA_VERSION = 4;

/** The five token kinds OpenCode records; total = their sum (input is *uncached* input). */
const tokenColumns = <P extends string = 'tokens'>(prefix: P = 'tokens' as P) => [
  c(`${prefix}_input`, 'int64', 'Uncached input tokens'),
  c(`${prefix}_output`, 'int64', 'Output tokens (without reasoning)'),
  c(`${prefix}_reasoning`, 'int64', 'Reasoning tokens'),
  c(`${prefix}_cache_read`, 'int64', 'Input tokens read from the provider cache'),
  c(`${prefix}_cache_write`, 'int64', 'Input tokens written to the provider cache'),
  c(`${prefix}_total`, 'int64', 'input + output + reasoning + cache read + cache write'),
] as const;

const source = c('source', 'utf8', '"sqlite" or "json": where the record was read (the database wins when both have it)');
/** Lets the engine find a row again when OpenCode updates it (a tool part goes pending → running → completed). */
const sourceRowid = c('source_rowid', 'int64', 'SQLite rowid of the stored row this comes from; -1 for a legacy JSON file');

/** One row per OpenCode storage location the engine found: each `opencode*.db` and the legacy JSON tree. */
export const SOURCES_TABLE = {
  name: 'sources',
  doc: 'OpenCode storage the engine reads: SQLite databases and the legacy JSON tree.',
  primaryKey: ['path'],
  columns: [
    c('kind', 'utf8', '"sqlite" for an opencode*.db file, "json" for the legacy storage/ tree'),
    c('path', 'utf8', 'Absolute path of the database file or storage directory'),
    c('bytes', 'int64', 'Size on disk, including the -wal file for SQLite'),
    c('sessions', 'int64', 'Session records found (rows or files)'),
    c('messages', 'int64', 'Message records found'),
    c('parts', 'int64', 'Part records found'),
    c('modified_at', 'timestamp_ms', 'Last modification time of the source', true),
    c('problem', 'utf8', 'Why the source could not be read fully, if it could not', true),
  ],
} as const satisfies TableSpec;

export const PROJECTS_TABLE = {
  name: 'projects',
  doc: 'OpenCode projects: a git repository (id = its first root commit) or "global".',
  primaryKey: ['id'],
  columns: [
    c('id', 'utf8', 'Project id'),
    c('worktree', 'utf8', 'Project root directory'),
    c('name', 'utf8', 'Display name: the configured name, else the worktree folder name'),
    c('vcs', 'utf8', '"git" or empty', true),
    c('created_at', 'timestamp_ms', 'Creation time', true),
    c('updated_at', 'timestamp_ms', 'Last update', true),
    source,
  ],
} as const satisfies TableSpec;

export const SESSIONS_TABLE = {
  name: 'sessions',
  doc: 'One row per session (root and sub-agent), with its own usage; session_stats rolls children up.',
  primaryKey: ['id'],
  columns: [
    c('id', 'utf8', 'Session id (ses_…)'),
    c('project_id', 'utf8', 'Project id'),
    c('project_name', 'utf8', 'Project display name', true),
    c('directory', 'utf8', 'Working directory', true),
    c('title', 'utf8', 'Title', true),
    c('slug', 'utf8', 'Slug', true),
    c('version', 'utf8', 'OpenCode version that created it', true),
    c('parent_id', 'utf8', 'Parent session for sub-agent sessions', true),
    c('root_id', 'utf8', 'Top-level ancestor (itself for a root session)'),
    c('depth', 'int32', '0 for a root session, 1 for its sub-agents, …'),
    c('agent', 'utf8', 'Agent of the session (or of its first assistant message)', true),
    c('provider_id', 'utf8', 'Provider of the session model (or of its first assistant message)', true),
    c('model_id', 'utf8', 'Model of the session (or of its first assistant message)', true),
    c('created_at', 'timestamp_ms', 'Creation time'),
    c('updated_at', 'timestamp_ms', 'Last update'),
    c('archived_at', 'timestamp_ms', 'When archived', true),
    c('additions', 'int64', 'Lines added (summary)'),
    c('deletions', 'int64', 'Lines deleted (summary)'),
    c('files_changed', 'int64', 'Files changed (summary)'),
    c('user_messages', 'int64', 'User messages'),
    c('assistant_messages', 'int64', 'Assistant messages (one per LLM step)'),
    ...tokenColumns(),
    c('cost', 'float64', "USD as OpenCode recorded it (sum over assistant steps, fork copies excluded)"),
    c('zero_cost_steps', 'int64', 'Assistant steps that used tokens but recorded cost 0 (unknown or free pricing)'),
    c('fork_copies', 'int64', 'Messages copied from another session by a fork (not counted in usage)'),
    c('is_archived', 'bool', 'Archived in OpenCode'),
    c('is_deleted', 'bool', 'Deleted from OpenCode storage; kept by the monitor as an audit trail'),
    source,
  ],
} as const satisfies TableSpec;

export const MESSAGES_TABLE = {
  name: 'messages',
  doc: 'User and assistant messages; each assistant message is one LLM step.',
  primaryKey: ['id'],
  columns: [
    c('id', 'utf8', 'Message id (msg_…)'),
    c('session_id', 'utf8', 'Session'),
    c('root_session_id', 'utf8', 'Top-level session'),
    c('role', 'utf8', '"user" or "assistant" (other values kept as they are)'),
    c('parent_id', 'utf8', 'For an assistant message: the user message it answers', true),
    c('agent', 'utf8', 'Agent', true),
    c('provider_id', 'utf8', 'Provider', true),
    c('model_id', 'utf8', 'Model', true),
    c('created_at', 'timestamp_ms', 'Creation time'),
    c('completed_at', 'timestamp_ms', 'Completion time (assistant); null while in flight', true),
    c('finish', 'utf8', 'Finish reason: stop, tool-calls, length, …', true),
    c('error_name', 'utf8', 'Error class, e.g. APIError, MessageAbortedError', true),
    c('error_message', 'utf8', 'Error message (redacted)', true),
    ...tokenColumns(),
    c('cost', 'float64', 'USD as OpenCode recorded it'),
    c('is_summary', 'bool', 'A compaction summary'),
    c('is_fork_copy', 'bool', 'A copy made when the session was forked; excluded from usage totals'),
    c('cwd', 'utf8', 'Working directory of the step', true),
    source,
    sourceRowid,
  ],
} as const satisfies TableSpec;

export const PARTS_TABLE = {
  name: 'parts',
  doc: 'Every part of every message: metadata and a short preview (full content is fetched on demand).',
  primaryKey: ['id'],
  columns: [
    c('id', 'utf8', 'Part id (prt_…)'),
    c('message_id', 'utf8', 'Message'),
    c('session_id', 'utf8', 'Session'),
    c('type', 'utf8', 'Part type: text, reasoning, tool, step-start, step-finish, patch, file, agent, subtask, compaction, retry, snapshot, or an unknown type as stored'),
    c('is_known_type', 'bool', 'False for a part type this version does not know'),
    c('tool', 'utf8', 'Tool name for tool parts', true),
    c('status', 'utf8', 'Tool status: pending, running, completed, error', true),
    c('created_at', 'timestamp_ms', 'Creation time (or start time)'),
    c('started_at', 'timestamp_ms', 'Start time, when recorded', true),
    c('ended_at', 'timestamp_ms', 'End time, when recorded', true),
    c('preview', 'utf8', 'First characters of the text, reasoning, tool title or file name (redacted)', true),
    c('bytes', 'int64', 'Size of the stored JSON'),
    source,
    sourceRowid,
  ],
} as const satisfies TableSpec;

export const TOOL_CALLS_TABLE = {
  name: 'tool_calls',
  doc: 'One row per tool call (tool part), with its argument, outcome and timing.',
  primaryKey: ['id'],
  columns: [
    c('id', 'utf8', 'Part id of the tool call'),
    c('session_id', 'utf8', 'Session'),
    c('root_session_id', 'utf8', 'Top-level session'),
    c('message_id', 'utf8', 'Assistant message (LLM step)'),
    c('call_id', 'utf8', 'Provider tool-call id', true),
    c('tool', 'utf8', 'Tool name (bash, read, edit, task, an MCP tool, …)'),
    c('is_mcp', 'bool', 'Not a built-in OpenCode tool'),
    c('status', 'utf8', 'pending, running, completed or error'),
    c('title', 'utf8', 'Title OpenCode gave the call', true),
    c('argument', 'utf8', 'The main argument: command, file path, URL, pattern, description (redacted)', true),
    c('input_json', 'utf8', 'All arguments as JSON, truncated (redacted)', true),
    c('error', 'utf8', 'Error message when status is error (redacted)', true),
    c('started_at', 'timestamp_ms', 'Start', true),
    c('ended_at', 'timestamp_ms', 'End', true),
    c('duration_ms', 'int64', 'End − start', true),
    c('output_bytes', 'int64', 'Size of the tool output'),
    c('child_session_id', 'utf8', 'Sub-agent session started by a task call', true),
    c('created_at', 'timestamp_ms', 'Creation time of the part'),
    c('risk_kind', 'utf8', 'How the call was audited: bash, read, write, edit, webfetch or mcp; empty when not audited', true),
    c('risk_score', 'int64', 'Risk 0–100 of the call on its own (security_events adds sequence and correlation bonuses)'),
    c('risk_level', 'utf8', 'low, medium, high or critical; empty when not audited', true),
    c('risk_reasons', 'utf8', 'Why, most important first, separated by "; "', true),
    c('mitre', 'utf8', 'MITRE ATT&CK technique ids, comma-separated', true),
    c('risk_scope', 'utf8', 'For file tools: in_scope or out_of_scope_{sensitive,allowed,suspicious,neutral}', true),
    sourceRowid,
  ],
} as const satisfies TableSpec;

export const SECURITY_EVENTS_TABLE = {
  name: 'security_events',
  doc: 'One row per audited agent action (shell, file, web, MCP), with its risk after kill-chain and correlation bonuses.',
  primaryKey: ['id'],
  columns: [
    c('id', 'utf8', 'Tool call (part) id'),
    c('session_id', 'utf8', 'Session that ran the action'),
    c('root_session_id', 'utf8', 'Top-level session: chains are evaluated per root with its sub-agents merged in'),
    c('project_id', 'utf8', 'Project of the session', true),
    c('kind', 'utf8', 'bash, read, write, edit, webfetch or mcp'),
    c('tool', 'utf8', 'Tool name as OpenCode recorded it'),
    c('target', 'utf8', 'Command, path or URL (redacted)', true),
    c('base_score', 'int64', 'Score of the action on its own'),
    c('sequence_bonus', 'int64', 'Added by kill chains the action is a step of'),
    c('correlation_bonus', 'int64', 'Added by correlations the action is part of'),
    c('score', 'int64', 'Final score 0–100: base + bonuses, clamped'),
    c('level', 'utf8', 'low (0–19), medium (20–49), high (50–79), critical (80–100), from the final score'),
    c('reasons', 'utf8', 'Why, most important first, separated by "; "', true),
    c('mitre', 'utf8', 'MITRE ATT&CK technique ids of the action and its findings, comma-separated', true),
    c('scope', 'utf8', 'For file actions: where the path lies relative to the project', true),
    c('finding_ids', 'utf8', 'security_findings this action belongs to, comma-separated', true),
    c('status', 'utf8', 'Tool call status: pending, running, completed, error'),
    c('at', 'timestamp_ms', 'When the action started'),
  ],
} as const satisfies TableSpec;

export const SECURITY_FINDINGS_TABLE = {
  name: 'security_findings',
  doc: 'Kill chains and correlations: multi-step behaviour across an agent tree, each with the events that make it up.',
  primaryKey: ['id'],
  columns: [
    c('id', 'utf8', 'Stable id from the rule and its member events'),
    c('type', 'utf8', 'kill_chain or correlation'),
    c('name', 'utf8', 'Rule name, e.g. credential_harvest, exfiltration_read_webfetch, discovery_burst'),
    c('technique', 'utf8', 'MITRE ATT&CK technique id'),
    c('event_ids', 'utf8', 'Member security_events ids in time order, comma-separated'),
    c('session_ids', 'utf8', 'Sessions of the member events, comma-separated'),
    c('root_session_id', 'utf8', 'Root session the finding is attributed to'),
    c('cross_session', 'bool', 'Members span more than one root session of the same project'),
    c('first_at', 'timestamp_ms', 'First member event'),
    c('last_at', 'timestamp_ms', 'Last member event'),
    c('bonus', 'int64', 'Bonus added to each member event'),
    c('score', 'int64', 'Highest member score + bonus, clamped to 100'),
    c('level', 'utf8', 'Level of the score'),
  ],
} as const satisfies TableSpec;

export const FILE_OPERATIONS_TABLE = {
  name: 'file_operations',
  doc: 'File reads, writes, edits and patches, one row per file touched.',
  primaryKey: ['id'],
  columns: [
    c('id', 'utf8', '<part id>:<index>'),
    c('part_id', 'utf8', 'Tool or patch part'),
    c('session_id', 'utf8', 'Session'),
    c('root_session_id', 'utf8', 'Top-level session'),
    c('operation', 'utf8', 'read, write, edit, patch (or the tool name of another file tool)'),
    c('path', 'utf8', 'File path as the agent gave it'),
    c('status', 'utf8', 'Tool status, or "applied" for a patch part', true),
    c('additions', 'int64', 'Lines added, when known', true),
    c('deletions', 'int64', 'Lines deleted, when known', true),
    c('at', 'timestamp_ms', 'When'),
    sourceRowid,
  ],
} as const satisfies TableSpec;

export const DELEGATIONS_TABLE = {
  name: 'delegations',
  doc: 'Sub-agent delegations: a task call in a parent session → the child session it ran.',
  primaryKey: ['id'],
  columns: [
    c('id', 'utf8', 'Part id of the task call'),
    c('parent_session_id', 'utf8', 'Session that delegated'),
    c('root_session_id', 'utf8', 'Top-level session'),
    c('parent_agent', 'utf8', 'Agent that delegated', true),
    c('child_session_id', 'utf8', 'Sub-agent session', true),
    c('child_agent', 'utf8', 'Sub-agent type (subagent_type)', true),
    c('description', 'utf8', 'Task description (redacted)', true),
    c('status', 'utf8', 'Status of the task call'),
    c('depth', 'int32', 'Depth of the child session'),
    c('started_at', 'timestamp_ms', 'Start', true),
    c('ended_at', 'timestamp_ms', 'End', true),
    ...tokenColumns('child_tokens'),
    c('child_cost', 'float64', 'Cost of the child session and its own sub-agents'),
  ],
} as const satisfies TableSpec;

export const EXCHANGES_TABLE = {
  name: 'exchanges',
  doc: 'A user turn and the assistant steps that answer it.',
  primaryKey: ['id'],
  columns: [
    c('id', 'utf8', 'The user message id'),
    c('session_id', 'utf8', 'Session'),
    c('root_session_id', 'utf8', 'Top-level session'),
    c('agent', 'utf8', 'Agent', true),
    c('model_id', 'utf8', 'Model of the first answering step', true),
    c('started_at', 'timestamp_ms', 'User message time'),
    c('ended_at', 'timestamp_ms', 'Completion of the last answering step', true),
    c('duration_ms', 'int64', 'ended − started', true),
    c('steps', 'int64', 'Assistant steps'),
    c('tool_calls', 'int64', 'Tool calls in the steps'),
    c('reasoning_parts', 'int64', 'Reasoning parts in the steps'),
    c('prompt_preview', 'utf8', 'Start of the user prompt (redacted)', true),
    c('response_preview', 'utf8', 'Start of the last text answer (redacted)', true),
    c('error_name', 'utf8', 'Error of the last step, if any', true),
    ...tokenColumns(),
    c('cost', 'float64', 'USD'),
  ],
} as const satisfies TableSpec;

export const STEP_EVENTS_TABLE = {
  name: 'step_events',
  doc: 'step-finish parts: tokens and cost per LLM step as OpenCode recorded them.',
  primaryKey: ['id'],
  columns: [
    c('id', 'utf8', 'Part id'),
    c('session_id', 'utf8', 'Session'),
    c('message_id', 'utf8', 'Assistant message'),
    c('reason', 'utf8', 'Finish reason', true),
    ...tokenColumns(),
    c('cost', 'float64', 'USD'),
    c('at', 'timestamp_ms', 'When'),
    sourceRowid,
  ],
} as const satisfies TableSpec;

export const TODOS_TABLE = {
  name: 'todos',
  doc: 'Todo items per session, in order.',
  primaryKey: ['id'],
  columns: [
    c('id', 'utf8', '<session id>:<position>'),
    c('session_id', 'utf8', 'Session'),
    c('position', 'int32', 'Order in the list'),
    c('content', 'utf8', 'Text (redacted)'),
    c('status', 'utf8', 'pending, in_progress, completed, cancelled'),
    c('priority', 'utf8', 'high, medium, low', true),
    c('updated_at', 'timestamp_ms', 'Last update', true),
    source,
  ],
} as const satisfies TableSpec;

export const SKILLS_TABLE = {
  name: 'skills',
  doc: 'Skills loaded by agents (skill tool calls).',
  primaryKey: ['id'],
  columns: [
    c('id', 'utf8', 'Part id'),
    c('session_id', 'utf8', 'Session'),
    c('skill', 'utf8', 'Skill name'),
    c('status', 'utf8', 'Tool status'),
    c('at', 'timestamp_ms', 'When'),
    sourceRowid,
  ],
} as const satisfies TableSpec;

export const SESSION_STATS_TABLE = {
  name: 'session_stats',
  doc: 'Per root session: usage and activity of the session and all its sub-agent sessions together.',
  primaryKey: ['root_session_id'],
  columns: [
    c('root_session_id', 'utf8', 'Top-level session'),
    c('sessions', 'int64', 'Sessions in the tree (1 + sub-agents)'),
    c('max_depth', 'int32', 'Deepest sub-agent level'),
    c('exchanges', 'int64', 'User turns'),
    c('assistant_messages', 'int64', 'LLM steps'),
    c('tool_calls', 'int64', 'Tool calls'),
    c('tool_errors', 'int64', 'Tool calls that ended in error'),
    c('delegations', 'int64', 'Task calls'),
    c('file_reads', 'int64', 'Files read'),
    c('file_writes', 'int64', 'Files written, edited or patched'),
    ...tokenColumns(),
    c('cost', 'float64', 'USD, sub-agents included'),
    c('started_at', 'timestamp_ms', 'First activity'),
    c('ended_at', 'timestamp_ms', 'Last activity'),
  ],
} as const satisfies TableSpec;

export const DAILY_STATS_TABLE = {
  name: 'daily_stats',
  doc: 'Usage per local calendar day and model (assistant steps, fork copies excluded).',
  primaryKey: ['day', 'provider_id', 'model_id'],
  columns: [
    c('day', 'utf8', 'YYYY-MM-DD in the engine’s time zone'),
    c('provider_id', 'utf8', 'Provider'),
    c('model_id', 'utf8', 'Model'),
    c('sessions', 'int64', 'Sessions active that day with this model'),
    c('assistant_messages', 'int64', 'LLM steps'),
    ...tokenColumns(),
    c('cost', 'float64', 'USD'),
  ],
} as const satisfies TableSpec;

export const INGEST_ISSUES_TABLE = {
  name: 'ingest_issues',
  doc: 'Records the engine skipped or did not understand, counted by reason and source.',
  primaryKey: ['source_path', 'reason'],
  columns: [
    c('source_path', 'utf8', 'Database or storage directory'),
    c('reason', 'utf8', 'Problem code, e.g. parse.invalid-json, parse.unknown-type'),
    c('count', 'int64', 'How many records'),
    c('example', 'utf8', 'One example: record id or file, and the message', true),
  ],
} as const satisfies TableSpec;

/** Every table the engine serves, in the order it sends them. */
export const TABLES = [
  SOURCES_TABLE,
  PROJECTS_TABLE,
  SESSIONS_TABLE,
  MESSAGES_TABLE,
  PARTS_TABLE,
  TOOL_CALLS_TABLE,
  FILE_OPERATIONS_TABLE,
  DELEGATIONS_TABLE,
  EXCHANGES_TABLE,
  STEP_EVENTS_TABLE,
  TODOS_TABLE,
  SKILLS_TABLE,
  SESSION_STATS_TABLE,
  DAILY_STATS_TABLE,
  SECURITY_EVENTS_TABLE,
  SECURITY_FINDINGS_TABLE,
  INGEST_ISSUES_TABLE,
] as const satisfies readonly TableSpec[];

export type TableName = (typeof TABLES)[number]['name'];

type SpecByName = { [T in (typeof TABLES)[number] as T['name']]: T };
type CellOf<C> = C extends { type: 'utf8' } ? string
  : C extends { type: 'bool' } ? boolean
  : number;
type NullableCell<C> = C extends { nullable: true } ? CellOf<C> | null : CellOf<C>;

/** The plain-object row of a table, derived from its spec so both can never disagree. */
export type RowOf<N extends TableName> = {
  -readonly [C in SpecByName[N]['columns'][number] as C['name']]: NullableCell<C>;
};

export function isTableName(value: unknown): value is TableName {
  return typeof value === 'string' && TABLES.some((table) => table.name === value);
}

export function tableSpec<N extends TableName>(name: N): SpecByName[N] {
  const spec = TABLES.find((table) => table.name === name);
  // Unreachable for a TableName; kept so a wrong cast fails loudly instead of sending a headless table.
  if (!spec) throw new Error(`internal.bug: no table spec for "${name}"`);
  return spec as SpecByName[N];
}
