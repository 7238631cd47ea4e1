/**
 * The ingest's larger bookkeeping (per-session aggregates, delegation records, which database each session came
 * from) as a segment of its own beside the tables. In the manifest it was 7 MB of JSON at 1M parts, parsed on
 * every start and rewritten on every save; it is needed only when something changes, so a start reads it then,
 * and a save writes it only when it moved.
 */
import { column, type TableSpec } from '../../../shared/src/index.js';
import { buildIpc, decodeIpc } from '../arrow/index.js';
import type { DelegationBase } from '../parse/index.js';
import type { SessionAggregate } from '../pipeline/index.js';

/** Internal: persisted, never served (not in the shared schema, so never in the table store). */
export const INGEST_EXTRAS_SEGMENT = 'ingest_extras';

const SPEC: TableSpec = {
  name: INGEST_EXTRAS_SEGMENT,
  doc: 'The ingest bookkeeping as one JSON document (internal).',
  primaryKey: ['json'],
  columns: [column('json', 'utf8', 'session aggregates, delegation records and session → database, as JSON')],
};

export interface IngestExtras {
  readonly sessionAggregates: Record<string, SessionAggregate>;
  readonly delegations: readonly DelegationBase[];
  readonly sessionDb: Record<string, string>;
}

export function extrasToIpc(extras: IngestExtras): Uint8Array {
  return buildIpc(SPEC, [{ json: JSON.stringify(extras) }]);
}

/** The document a segment holds; a segment that is not one is an error (the saved index is then rebuilt). */
export function extrasFromIpc(chunks: readonly Uint8Array[]): IngestExtras {
  const text = chunks.length === 1 ? decodeIpc(chunks[0]!).getChild('json')?.get(0) : undefined;
  if (typeof text !== 'string') throw new Error(`${INGEST_EXTRAS_SEGMENT}: expected one segment with one JSON row`);
  const value = JSON.parse(text) as Partial<IngestExtras>;
  if (typeof value.sessionAggregates !== 'object' || !Array.isArray(value.delegations) || typeof value.sessionDb !== 'object') {
    throw new Error(`${INGEST_EXTRAS_SEGMENT}: the JSON lacks sessionAggregates, delegations or sessionDb`);
  }
  return value as IngestExtras;
}
