/**
 * Per-message aggregates (tool calls, reasoning parts, first and last text preview) as an Arrow table the state
 * dir keeps beside the others. On a large history they are the bulk of what the ingest remembers besides the
 * tables (≈ 90 MB as JSON at 1M parts): as a JSON blob inside the manifest they cost seconds of parsing and
 * garbage collection on every warm start, while they are only needed when the derived tables are recomputed.
 * As a segment they are read only then (see `lazyAggregates`).
 */
import { tableFromIPC } from 'apache-arrow';
import { column, type TableSpec } from '../../../shared/src/index.js';
import { buildIpc } from '../arrow/index.js';
import { columnValues } from './columnValues.js';
import type { MessageAggregate } from '../pipeline/index.js';

/** Internal: persisted, never served (not in the shared schema, so never in the table store). */
export const MESSAGE_AGGREGATES_SEGMENT = 'ingest_message_aggregates';

const SPEC: TableSpec = {
  name: MESSAGE_AGGREGATES_SEGMENT,
  doc: 'Per-message part aggregates of the ingest (internal).',
  primaryKey: ['message_id'],
  columns: [
    column('message_id', 'utf8', 'message id'),
    column('tool_calls', 'int32', 'tool parts of the message'),
    column('reasoning_parts', 'int32', 'reasoning parts of the message'),
    column('first_text_id', 'utf8', 'id of the first text part', true),
    column('first_text', 'utf8', 'preview of the first text part', true),
    column('last_text_id', 'utf8', 'id of the last text part', true),
    column('last_text', 'utf8', 'preview of the last text part', true),
  ],
};

/** Rows per segment: bounded chunks keep the peak memory of building and reading them small. */
const ROWS_PER_SEGMENT = 50_000;

export function aggregatesToIpc(aggregates: Readonly<Record<string, MessageAggregate>>): { bytes: Uint8Array; rows: number }[] {
  const segments: { bytes: Uint8Array; rows: number }[] = [];
  let rows: Record<string, string | number | null>[] = [];
  const flush = () => {
    if (rows.length === 0) return;
    segments.push({ bytes: buildIpc(SPEC, rows), rows: rows.length });
    rows = [];
  };
  for (const [id, a] of Object.entries(aggregates)) {
    rows.push({
      message_id: id,
      tool_calls: a.toolCalls,
      reasoning_parts: a.reasoningParts,
      first_text_id: a.firstText?.id ?? null,
      first_text: a.firstText?.text ?? null,
      last_text_id: a.lastText?.id ?? null,
      last_text: a.lastText?.text ?? null,
    });
    if (rows.length >= ROWS_PER_SEGMENT) flush();
  }
  flush();
  return segments;
}

/** Adds the aggregates in `chunks` to `into`, leaving entries `into` already has (they are newer). */
export function readAggregatesInto(chunks: readonly Uint8Array[], into: Record<string, MessageAggregate>): void {
  for (const bytes of chunks) {
    const table = tableFromIPC(bytes);
    const col = (name: string) => {
      const vector = table.getChild(name);
      if (!vector) throw new Error(`internal.bug: ${MESSAGE_AGGREGATES_SEGMENT} segment has no column "${name}"`);
      return vector;
    };
    // Straight from the buffers (`columnValues`): Arrow's getters cost about a second for 300k messages, paid by
    // the first derive after a warm start.
    const ids = columnValues(col('message_id')) as string[];
    const toolCalls = columnValues(col('tool_calls')) as number[];
    const reasoning = columnValues(col('reasoning_parts')) as number[];
    const [firstId, first, lastId, last] = ['first_text_id', 'first_text', 'last_text_id', 'last_text'].map((name) => columnValues(col(name)) as (string | null)[]);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (Object.hasOwn(into, id)) continue;
      const fid = firstId![i] ?? null;
      const lid = lastId![i] ?? null;
      into[id] = {
        toolCalls: toolCalls[i]!,
        reasoningParts: reasoning[i]!,
        firstText: fid === null ? null : { id: fid, text: first![i] ?? '' },
        lastText: lid === null ? null : { id: lid, text: last![i] ?? '' },
      };
    }
  }
}
