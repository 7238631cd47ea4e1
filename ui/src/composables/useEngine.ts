/**
 * Joins the engine client (ui/src/connection) and the page database (ui/src/db): the client applies the
 * snapshot and every later delta to DuckDB-WASM, and the dashboard's panels query only DuckDB.
 */
import { computed, reactive, readonly, ref } from 'vue';
import type { HelloMessage, Problem } from '../../../shared/src/index.js';
import { createEngineClient, engineSocketUrl, httpSnapshotBody, openBrowserSocket, type EngineClientState } from '../connection/index.js';
import { openPageDatabase, type Row } from '../db/duckdb.js';
import { createTableSync, lazyConnection } from '../db/index.js';

export type EnginePhase = 'starting-database' | 'connecting' | 'receiving' | 'ready' | 'disconnected';

export interface EngineState {
  phase: EnginePhase;
  hello: HelloMessage | null;
  dbVersion: string;
  dbBundle: string;
  /** Rows per table announced by the engine, and rows inserted so far. */
  expectedRows: Record<string, number>;
  loadedRows: Record<string, number>;
  /** Bytes received from the engine (socket and snapshot body or file): progress while a snapshot file arrives. */
  bytesReceived: number;
  problems: Problem[];
  lastError: string;
  /** Bumped after every snapshot and delta, so panels re-run their queries. */
  revision: number;
}

const PHASES: Record<EngineClientState['phase'], EnginePhase> = {
  connecting: 'connecting',
  snapshot: 'receiving',
  replay: 'receiving',
  live: 'ready',
  disconnected: 'disconnected',
  closed: 'disconnected',
  incompatible: 'disconnected',
};

export function useEngine() {
  const database = openPageDatabase();
  const db = reactive({ version: '', bundle: '', error: '' });
  void database.then(
    (opened) => Object.assign(db, { version: opened.version, bundle: opened.bundle }),
    (error: Error) => (db.error = `DuckDB-WASM could not start: ${error.message}`),
  );
  const client = createEngineClient({
    // The page attaches the engine's DuckDB file when it has one; `?attach=0` asks for the Arrow snapshot instead.
    url: `${engineSocketUrl(window.location)}${new URLSearchParams(window.location.search).get('attach') === '0' ? '' : '?attach=1'}`,
    openSocket: openBrowserSocket,
    fetchSnapshotBody: httpSnapshotBody(window.location.origin),
    tables: createTableSync(lazyConnection(database.then((opened) => opened.writer))),
    wrapState: (state) => reactive(state) as EngineClientState,
  });
  const s = client.state;
  const perTable = (pick: (t: EngineClientState['tables'][string]) => number) => Object.fromEntries(Object.entries(s.tables).map(([name, t]) => [name, pick(t)]));
  const dbReady = ref(false);
  void database.then(() => (dbReady.value = true), () => undefined);
  const state = reactive({
    phase: computed<EnginePhase>(() => (!dbReady.value && s.phase !== 'disconnected' ? 'starting-database' : PHASES[s.phase])),
    hello: computed(() => s.hello),
    dbVersion: computed(() => db.version),
    dbBundle: computed(() => db.bundle),
    expectedRows: computed(() => perTable((t) => t.expectedRows)),
    loadedRows: computed(() => perTable((t) => t.loadedRows)),
    bytesReceived: computed(() => s.bytesReceived),
    problems: computed(() => s.problems),
    lastError: computed(() => db.error || s.lastError),
    revision: computed(() => s.revision),
  }) as unknown as EngineState;

  const ready = client.ready.then(() => state.loadedRows);
  const query = async (sql: string): Promise<Row[]> => (await database).query(sql);
  return { state: readonly(state), query, ready, client };
}
