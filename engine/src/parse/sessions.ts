/**
 * Sessions and projects from either source. The database keeps sessions in columns (no data blob); legacy
 * files hold the API object. Both become the same base row; usage totals, tree position and project names are
 * derived later from all records together.
 */
import type { RowOf } from '../../../shared/src/index.js';
import { count, isObject, num, numOrNull, obj, str, type Json } from './text.js';

export type SourceKind = 'sqlite' | 'json';

/** The columns of `sessions` that come straight from the source; the rest are derived. */
export type SessionBase = Pick<
  RowOf<'sessions'>,
  | 'id' | 'project_id' | 'directory' | 'title' | 'slug' | 'version' | 'parent_id' | 'agent' | 'provider_id' | 'model_id'
  | 'created_at' | 'updated_at' | 'archived_at' | 'additions' | 'deletions' | 'files_changed' | 'is_archived' | 'source'
>;

export interface SqlSessionRow {
  id: string;
  project_id: string;
  parent_id: string | null;
  slug: string | null;
  directory: string | null;
  title: string | null;
  version: string | null;
  summary_additions: number | null;
  summary_deletions: number | null;
  summary_files: number | null;
  agent: string | null;
  model: string | null;
  time_created: number;
  time_updated: number;
  time_archived: number | null;
}

/** The session `model` column is JSON text `{"id","providerID","variant"}`; tolerate anything else. */
function parseModelColumn(text: string | null): { id: string | null; providerID: string | null } {
  if (!text) return { id: null, providerID: null };
  try {
    const model = obj(JSON.parse(text));
    return { id: str(model.id) ?? str(model.modelID), providerID: str(model.providerID) };
  } catch {
    return { id: null, providerID: null };
  }
}

export function sessionFromSqlRow(row: SqlSessionRow): SessionBase {
  const model = parseModelColumn(row.model);
  return {
    id: row.id,
    project_id: row.project_id,
    directory: row.directory,
    title: row.title,
    slug: row.slug,
    version: row.version,
    parent_id: row.parent_id || null,
    agent: row.agent,
    provider_id: model.providerID,
    model_id: model.id,
    created_at: row.time_created,
    updated_at: row.time_updated,
    archived_at: row.time_archived,
    additions: count(row.summary_additions),
    deletions: count(row.summary_deletions),
    files_changed: count(row.summary_files),
    is_archived: row.time_archived !== null && row.time_archived !== undefined,
    source: 'sqlite',
  };
}

/** A legacy `storage/session/<projectID>/<sessionID>.json` object; `undefined` when it is not a session. */
export function sessionFromJson(value: unknown, fallbackProjectId: string | null): SessionBase | undefined {
  if (!isObject(value) || typeof value.id !== 'string') return undefined;
  const time = obj(value.time);
  const summary = obj(value.summary);
  const model = obj(value.model);
  const created = num(time.created, num(time.updated));
  const archived = numOrNull(time.archived);
  return {
    id: value.id,
    project_id: str(value.projectID) ?? fallbackProjectId ?? 'global',
    directory: str(value.directory),
    title: str(value.title),
    slug: str(value.slug),
    version: str(value.version),
    parent_id: str(value.parentID),
    agent: str(value.agent),
    provider_id: str(model.providerID),
    model_id: str(model.id) ?? str(model.modelID),
    created_at: created,
    updated_at: num(time.updated, created),
    archived_at: archived,
    additions: count(summary.additions),
    deletions: count(summary.deletions),
    files_changed: count(summary.files),
    is_archived: archived !== null,
    source: 'json',
  };
}

export interface SqlProjectRow {
  id: string;
  worktree: string;
  vcs: string | null;
  name: string | null;
  time_created: number | null;
  time_updated: number | null;
}

function projectName(name: string | null, worktree: string): string {
  if (name) return name;
  const parts = worktree.split(/[\\/]+/).filter(Boolean);
  return parts.at(-1) ?? worktree;
}

export function projectFromSqlRow(row: SqlProjectRow): RowOf<'projects'> {
  return {
    id: row.id,
    worktree: row.worktree,
    name: row.id === 'global' && !row.name ? 'global' : projectName(row.name, row.worktree),
    vcs: row.vcs,
    created_at: row.time_created,
    updated_at: row.time_updated,
    source: 'sqlite',
  };
}

export function projectFromJson(value: unknown): RowOf<'projects'> | undefined {
  if (!isObject(value) || typeof value.id !== 'string') return undefined;
  const time = obj(value.time);
  const worktree = str(value.worktree) ?? '/';
  return {
    id: value.id,
    worktree,
    name: value.id === 'global' && !str(value.name) ? 'global' : projectName(str(value.name), worktree),
    vcs: str(value.vcs),
    created_at: numOrNull(time.created),
    updated_at: numOrNull(time.updated),
    source: 'json',
  };
}

export interface TodoInput {
  readonly sessionId: string;
  readonly position: number;
  readonly item: Json;
  readonly updatedAt: number | null;
  readonly source: SourceKind;
}

export function todoRow(input: TodoInput): RowOf<'todos'> {
  return {
    id: `${input.sessionId}:${input.position}`,
    session_id: input.sessionId,
    position: input.position,
    content: str(input.item.content) ?? '',
    status: str(input.item.status) ?? 'pending',
    priority: str(input.item.priority),
    updated_at: input.updatedAt,
    source: input.source,
  };
}
