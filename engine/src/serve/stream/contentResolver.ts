/**
 * On-demand content for `request` messages, read from OpenCode's SQLite `part` and `message` tables through
 * a read-only better-sqlite3 connection (which, unlike a file-bytes reader, sees the -wal file). Text is
 * redacted before it leaves the engine and cut at a bound, so one request cannot make a huge frame.
 */
import Database from 'better-sqlite3';
import { fail, ok, type ContentData, type ContentKind, type Problem, type Result, type TranscriptEntry } from '../../../../shared/src/index.js';
import { redact } from '../../security/index.js';

export type ContentResolver = (kind: ContentKind, id: string) => Promise<Result<ContentData>>;

export interface ContentResolverOptions {
  /** OpenCode databases to look in, in order (e.g. every `opencode*.db` of the data dir). */
  readonly databases: () => Promise<readonly string[]>;
  /** Most characters of one part's text or tool output. @default 1,000,000 */
  readonly maxChars?: number;
  /** Most characters of a transcript, all entries together. @default 2,000,000 */
  readonly maxTranscriptChars?: number;
}

type Json = Record<string, unknown>;

interface PartRow {
  readonly id: string;
  readonly data: string;
}

function parseJson(text: string): Json {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
  } catch {
    return {};
  }
}

const str = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value));

function cut(text: string, max: number): { text: string; truncated: boolean } {
  return text.length > max ? { text: text.slice(0, max), truncated: true } : { text, truncated: false };
}

/** The tool's output, or its error when it failed: what a user opening the call wants to read. */
function toolFields(data: Json): { tool: string; status: string; input: string; output: string } {
  const state = (data.state ?? {}) as Json;
  return { tool: str(data.tool), status: str(state.status), input: str(state.input), output: str(state.output ?? state.error) };
}

function readProblem(error: unknown, dbPath: string): Problem {
  const code = (error as { code?: string }).code ?? '';
  return code.startsWith('SQLITE_BUSY')
    ? { code: 'source.busy', message: `the database was busy; try again`, source: dbPath }
    : { code: 'source.unreadable', message: (error as Error).message, source: dbPath, detail: { sqlite: code || null } };
}

export function createContentResolver(options: ContentResolverOptions): ContentResolver {
  const maxChars = options.maxChars ?? 1_000_000;
  const maxTranscript = options.maxTranscriptChars ?? 2_000_000;

  /** Runs `read` on each database until one finds the record. */
  const inDatabases = async <T>(read: (db: Database.Database) => T | undefined, what: string): Promise<Result<T>> => {
    for (const dbPath of await options.databases()) {
      let db: Database.Database | undefined;
      try {
        db = new Database(dbPath, { readonly: true, fileMustExist: true });
        const found = read(db);
        if (found !== undefined) return ok(found);
      } catch (error) {
        return fail(readProblem(error, dbPath));
      } finally {
        db?.close();
      }
    }
    return fail({ code: 'serve.not-found', message: `no ${what} in OpenCode's databases` });
  };

  const partText = async (id: string): Promise<Result<ContentData>> => {
    const row = await inDatabases((db) => db.prepare('SELECT id, data FROM part WHERE id = ?').get(id) as PartRow | undefined, `part ${id}`);
    if (!row.ok) return row;
    const data = parseJson(row.value.data);
    const full = redact(str(data.text)) ?? '';
    const { text, truncated } = cut(full, maxChars);
    return ok({ kind: 'part-text', partId: id, partType: str(data.type), text, length: full.length, truncated });
  };

  const toolOutput = async (id: string): Promise<Result<ContentData>> => {
    const row = await inDatabases((db) => db.prepare('SELECT id, data FROM part WHERE id = ?').get(id) as PartRow | undefined, `part ${id}`);
    if (!row.ok) return row;
    const data = parseJson(row.value.data);
    if (data.type !== 'tool') return fail({ code: 'serve.not-found', message: `part ${id} is a ${str(data.type) || 'untyped'} part, not a tool call` });
    const fields = toolFields(data);
    const full = redact(fields.output) ?? '';
    const { text, truncated } = cut(full, maxChars);
    const input = cut(redact(fields.input) ?? '', maxChars).text;
    return ok({ kind: 'tool-output', partId: id, tool: fields.tool, status: fields.status, input, output: text, length: full.length, truncated });
  };

  const transcript = async (sessionId: string): Promise<Result<ContentData>> => {
    const read = (db: Database.Database) => {
      const rows = db
        .prepare('SELECT p.id AS id, p.message_id AS messageId, p.data AS data, m.data AS message FROM part p JOIN message m ON m.id = p.message_id WHERE p.session_id = ? ORDER BY m.time_created, m.id, p.id')
        .iterate(sessionId) as IterableIterator<{ id: string; messageId: string; data: string; message: string }>;
      const entries: TranscriptEntry[] = [];
      let used = 0;
      let truncated = false;
      const roles = new Map<string, string>();
      for (const row of rows) {
        const data = parseJson(row.data);
        const role = roles.get(row.messageId) ?? str(parseJson(row.message).role);
        roles.set(row.messageId, role);
        const type = str(data.type);
        const raw = type === 'tool' ? ((f) => `${f.tool}: ${f.input} → ${f.output}`)(toolFields(data)) : typeof data.text === 'string' ? data.text : '';
        const { text, truncated: cutHere } = cut(redact(raw) ?? '', maxTranscript - used);
        entries.push({ messageId: row.messageId, role, partId: row.id, partType: type, text });
        used += text.length;
        if (cutHere || used >= maxTranscript) {
          truncated = true;
          break;
        }
      }
      return entries.length > 0 ? { entries, truncated } : undefined;
    };
    const found = await inDatabases(read, `session ${sessionId} with parts`);
    if (!found.ok) return found;
    return ok({ kind: 'transcript', sessionId, entries: found.value.entries, truncated: found.value.truncated });
  };

  return async (kind, id) => (kind === 'part-text' ? partText(id) : kind === 'tool-output' ? toolOutput(id) : transcript(id));
}
