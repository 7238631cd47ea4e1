/** What a snapshot holds: every table's live rows as Arrow IPC chunks, and a few facts about the engine. */
import type { TableName } from '../../../../shared/src/index.js';

export interface TableSnapshot {
  readonly name: TableName;
  readonly rows: number;
  /** Arrow IPC streams, sent in order; the first creates the table, the rest append. */
  readonly chunks: readonly Uint8Array[];
}

export interface EngineSnapshot {
  readonly engineVersion: string;
  readonly demo: boolean;
  readonly dataDir: string;
  readonly tables: readonly TableSnapshot[];
  /** Within one engine run, equal tags mean equal tables (the store's change count); absent when unknown. */
  readonly tag?: string;
}
