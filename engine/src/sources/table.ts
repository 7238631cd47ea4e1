/** The `sources` table: every storage location found, with its record counts and any problem. */
import type { RowOf } from '../../../shared/src/index.js';
import { discoverSources } from './discover.js';
import { inspectSource, type SourceSummary } from './inspect.js';

export async function collectSources(dataDir: string, env: Readonly<Record<string, string | undefined>>): Promise<SourceSummary[]> {
  const locations = await discoverSources(dataDir, env);
  return Promise.all(locations.map((location) => inspectSource(location)));
}

export function sourcesRows(summaries: readonly SourceSummary[]): RowOf<'sources'>[] {
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
