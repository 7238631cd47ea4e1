/**
 * Joins the engine connection and the page database: every Arrow chunk goes into DuckDB-WASM in arrival
 * order, and the dashboard's panels query only DuckDB.
 */
import { reactive, readonly } from 'vue';
import type { HelloMessage, Problem } from '../../../shared/src/index.js';
import { connectEngine, engineSocketUrl } from '../connection/engineConnection.js';
import { openPageDatabase, type PageDatabase, type Row } from '../db/duckdb.js';

export type EnginePhase = 'starting-database' | 'connecting' | 'receiving' | 'ready' | 'disconnected';

export interface EngineState {
  phase: EnginePhase;
  hello: HelloMessage | null;
  dbVersion: string;
  dbBundle: string;
  /** Rows per table announced by the engine, and rows inserted so far. */
  expectedRows: Record<string, number>;
  loadedRows: Record<string, number>;
  problems: Problem[];
  lastError: string;
  /** Bumped after every snapshot, so panels re-run their queries. */
  revision: number;
}

export function useEngine() {
  const state = reactive<EngineState>({
    phase: 'starting-database',
    hello: null,
    dbVersion: '',
    dbBundle: '',
    expectedRows: {},
    loadedRows: {},
    problems: [],
    lastError: '',
    revision: 0,
  });
  const database = openPageDatabase();
  // Inserts run strictly one after another, in the order the engine sent them.
  let inserts: Promise<unknown> = database;
  let resolveReady!: (rows: Record<string, number>) => void;
  const ready = new Promise<Record<string, number>>((resolve) => (resolveReady = resolve));

  void database.then(
    (db) => {
      state.dbVersion = db.version;
      state.dbBundle = db.bundle;
      if (state.phase === 'starting-database') state.phase = 'connecting';
    },
    (error: Error) => (state.lastError = `DuckDB-WASM could not start: ${error.message}`),
  );

  const enqueue = (work: (db: PageDatabase) => Promise<void>) => {
    inserts = inserts.then(() => database).then(work).catch((error: Error) => (state.lastError = error.message));
  };

  connectEngine(engineSocketUrl(window.location), {
    onMessage(message) {
      switch (message.type) {
        case 'hello':
          state.hello = message;
          state.phase = 'receiving';
          state.loadedRows = {};
          break;
        case 'snapshot-done':
          state.expectedRows = { ...message.rows };
          enqueue(async () => {
            state.phase = 'ready';
            state.revision++;
            resolveReady(state.loadedRows);
          });
          break;
        case 'problem':
          state.problems.push(message.problem);
          break;
        case 'error':
          state.lastError = message.error.message;
          break;
        case 'pong':
          break;
      }
    },
    onChunk({ header, ipc }) {
      const bytes = ipc.slice();
      enqueue(async (db) => {
        await db.insertIpc(header.table, bytes, header.chunk === 0);
        state.loadedRows[header.table] = (state.loadedRows[header.table] ?? 0) + header.rows;
      });
    },
    onClose(reason) {
      state.phase = 'disconnected';
      state.lastError = reason;
    },
    onProtocolError(message) {
      state.lastError = message;
    },
  });

  const query = async (sql: string): Promise<Row[]> => (await database).query(sql);
  return { state: readonly(state), query, ready };
}
