/**
 * What the REST layer needs from the engine, injected by the composition root so this module never reaches into
 * the indexer or the live monitor itself. Pass the same `RestContext` object on every call: the DuckDB copy of the
 * tables and the rate-limit buckets are kept per context.
 */
import type { LivePermission, LiveQuestion, LiveState, Result, TableName } from '../../../../shared/src/index.js';
import type { Logger } from '../../log.js';

export type PermissionReplyKind = 'once' | 'always' | 'reject';

/**
 * The live monitor's actions. Each implementation routes the reply to the instance that owns the request and
 * appends the attempt to the monitor's action (audit) log; the REST layer logs the call through `logger` too.
 */
export interface RestActions {
  replyPermission(request: {
    readonly instanceId: string;
    readonly permission: LivePermission;
    readonly reply: PermissionReplyKind;
    readonly message?: string;
  }): Promise<Result<true>>;
  replyQuestion(request: {
    readonly instanceId: string;
    readonly question: LiveQuestion;
    /** One array of chosen labels per question, in order. */
    readonly answers: readonly (readonly string[])[];
  }): Promise<Result<true>>;
  rejectQuestion(request: { readonly instanceId: string; readonly question: LiveQuestion }): Promise<Result<true>>;
}

export interface RestEngineInfo {
  readonly engineVersion: string;
  readonly demo: boolean;
  readonly dataDir: string;
}

export interface RestContext {
  /**
   * The live Arrow IPC chunks of one table (the store's snapshot). Chunk identity matters: an unchanged table must
   * return the same `Uint8Array` objects, so the handler can skip reloading it into DuckDB.
   */
  tableChunks(name: TableName): readonly Uint8Array[];
  /** Live rows of a table, without decoding anything (the store keeps the count). */
  rowCount(name: TableName): number;
  live(): LiveState;
  info(): RestEngineInfo;
  /** The stream's position and the DuckDB file new pages attach, for `/api/health/detailed`. */
  stream?(): { readonly seq: number; readonly snapshotFile: { readonly seq: number; readonly bytes: number } | null };
  actions: RestActions;
  logger: Logger;
  /** @default Date.now — injected by tests so `?days=` and rate limits are deterministic. */
  now?: () => number;
  /** Mutating calls per second per client, and the burst allowed. @default { perSecond: 10, burst: 20 } */
  rateLimit?: { readonly perSecond: number; readonly burst: number };
}
