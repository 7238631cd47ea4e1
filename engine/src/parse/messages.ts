/**
 * A message body (DB `message.data` plus its id columns, or a legacy message file) → a `messages` row.
 * `root_session_id` comes from the session tree the caller knows; fork copies are marked later, when all
 * messages are known.
 */
import type { RowOf } from '../../../shared/src/index.js';
import { redact } from '../security/index.js';
import type { SourceKind } from './sessions.js';
import { num, numOrNull, obj, preview, str, type Json } from './text.js';
import { parseTokens, tokenCells } from './tokens.js';

export interface MessageIds {
  readonly id: string;
  readonly sessionId: string;
  readonly rootSessionId: string;
  /** DB `time_created`, used when the body has no `time.created`. */
  readonly createdAt?: number;
  /** SQLite rowid; absent for a legacy file. */
  readonly rowid?: number;
}

export function messageRow(ids: MessageIds, data: Json, source: SourceKind): RowOf<'messages'> {
  const time = obj(data.time);
  const model = obj(data.model);
  const error = obj(data.error);
  const errorData = obj(error.data);
  const tokens = parseTokens(data.tokens);
  return {
    id: ids.id,
    session_id: ids.sessionId,
    root_session_id: ids.rootSessionId,
    role: str(data.role) ?? 'unknown',
    parent_id: str(data.parentID),
    agent: str(data.agent) ?? str(data.mode),
    // Assistant messages carry providerID/modelID; user messages carry model: {providerID, modelID}.
    provider_id: str(data.providerID) ?? str(model.providerID),
    model_id: str(data.modelID) ?? str(model.modelID),
    created_at: num(time.created, ids.createdAt ?? 0),
    completed_at: numOrNull(time.completed),
    finish: str(data.finish),
    error_name: str(error.name),
    error_message: redact(preview(errorData.message ?? error.message, 400)),
    ...tokenCells('tokens', tokens),
    cost: Math.max(0, num(data.cost)),
    is_summary: data.summary === true,
    is_fork_copy: false,
    cwd: str(obj(data.path).cwd),
    source,
    source_rowid: ids.rowid ?? -1,
  };
}

/** Legacy message files hold the whole object, ids included. */
export function messageIdsFromJson(value: Json): { id: string; sessionId: string } | undefined {
  const id = str(value.id);
  const sessionId = str(value.sessionID);
  return id && sessionId ? { id, sessionId } : undefined;
}
