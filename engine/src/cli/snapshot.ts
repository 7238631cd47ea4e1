/** Builds what the server streams: today, the `sources` table read fresh from the data dir on each request. */
import { SOURCES_TABLE } from '../../../shared/src/index.js';
import { buildIpc } from '../arrow/index.js';
import { ENGINE_VERSION } from '../config/index.js';
import type { EngineSnapshot } from '../serve/index.js';
import { discoverSources, inspectSource, type SourceSummary } from '../sources/index.js';

export async function collectSources(dataDir: string, env: Readonly<Record<string, string | undefined>>): Promise<SourceSummary[]> {
  const locations = await discoverSources(dataDir, env);
  return Promise.all(locations.map((location) => inspectSource(location)));
}

export function sourcesRows(summaries: readonly SourceSummary[]) {
  return summaries.map((s) => ({
    kind: s.kind,
    path: s.path,
    bytes: s.bytes,
    sessions: s.sessions,
    messages: s.messages,
    parts: s.parts,
    modified_at: s.modifiedAt,
    problem: s.problem ? `${s.problem.code}: ${s.problem.message}` : null,
  }));
}

export async function buildSnapshot(dataDir: string, env: Readonly<Record<string, string | undefined>>): Promise<EngineSnapshot> {
  const rows = sourcesRows(await collectSources(dataDir, env));
  return {
    engineVersion: ENGINE_VERSION,
    demo: false,
    dataDir,
    tables: [{ name: SOURCES_TABLE.name, rows: rows.length, ipc: buildIpc(SOURCES_TABLE, rows) }],
  };
}
