/**
 * The `sources` table's upkeep: it counts every database's rows and the legacy tree's files, and a walk of a large
 * legacy tree takes seconds. So it is rebuilt whole at start, on the periodic full scan and at most once a minute
 * while changes flow; in between only the databases' rows are counted again (≈ 30 ms at 1M parts), and a refresh
 * adds the rows it brought as it lands, so a client sees the counts move with the rows.
 */
import { SOURCES_TABLE, type RowOf } from '../../../shared/src/index.js';
import { buildIpc } from '../arrow/index.js';
import { collectSources, inspectSource, sourcesRows } from '../sources/index.js';
import type { TableStore } from '../store/index.js';
import { rowsOf } from './restore.js';

/** Least time between two rebuilds of the `sources` table outside full scans. */
const SOURCES_REFRESH_MS = 60_000;

export interface SourcesUpkeep {
  /** Starts counting the sources while a cold index reads the bodies (about a second at 1M parts); the next rebuild uses it. */
  collectEarly(): void;
  /** After a derive (`force` false: a recount of the databases when the last rebuild is recent) or on a full scan. */
  rebuild(force: boolean): Promise<void>;
  /**
   * The counts came from a saved state: rows deleted after its save (or while the last run closed) show only in a
   * recount, which the next `afterRefresh` does.
   */
  warmStarted(): void;
  /** After a refresh landed: the recount a warm start asked for, once. */
  afterRefresh(): Promise<void>;
  /** A database's rows a refresh added (a deletion shows at the next recount), and its session count when read. */
  countInto(source: string, added: { messages: number; parts: number }, sessions: number | undefined): void;
}

export function createSourcesUpkeep(store: TableStore, dataDir: string, env: Readonly<Record<string, string | undefined>>): SourcesUpkeep {
  let builtAt = -Infinity;
  let recountPending = false;
  let collecting: Promise<Awaited<ReturnType<typeof collectSources>> | undefined> | undefined;

  const replace = (rows: readonly RowOf<'sources'>[]) => store.replace('sources', [buildIpc(SOURCES_TABLE, rows)]);

  /** Counts the databases' rows again, leaving the legacy tree's counts as they are. */
  const recountDatabases = async () => {
    const rows = rowsOf<RowOf<'sources'>>(store.snapshot('sources'));
    replace(await Promise.all(rows.map(async (row) => (row.kind === 'sqlite' ? sourcesRows([await inspectSource({ kind: 'sqlite', path: row.path })])[0]! : row))));
  };

  return {
    collectEarly() {
      collecting = collectSources(dataDir, env).catch(() => undefined);
    },
    async rebuild(force) {
      if (!force && performance.now() - builtAt < SOURCES_REFRESH_MS) return recountDatabases();
      const early = await collecting;
      collecting = undefined;
      replace(sourcesRows(early ?? (await collectSources(dataDir, env))));
      builtAt = performance.now();
    },
    warmStarted() {
      recountPending = true;
    },
    async afterRefresh() {
      if (!recountPending) return;
      recountPending = false;
      await recountDatabases();
    },
    countInto(source, added, sessions) {
      const rows = rowsOf<RowOf<'sources'>>(store.snapshot('sources'));
      const row = rows.find((r) => r.kind === 'sqlite' && r.path === source);
      if (!row) return;
      row.messages += added.messages;
      row.parts += added.parts;
      if (sessions !== undefined) row.sessions = sessions;
      replace(rows);
    },
  };
}
