/**
 * The manifest: ground truth for an indexer run against the corpus, written to `<out>/manifest.json` and
 * printed by `--json`. Every figure except `elapsedMs` is a pure function of the options, so two runs with the
 * same options give identical manifests apart from that one field.
 *
 * Which totals to compare against:
 * - `tables`: exact row counts of every table in opencode.db (`SELECT count(*)`).
 * - `raw`: sums over all rows (what summing `session.cost`, or every message/part row, gives). Fork copies
 *   are counted once per fork here, which is the over-count peers.md §1 warns about.
 * - `unique`: the same without fork copies (each copy has a new id but the content of an earlier message:
 *   same `time_created`, tokens and cost). This is real, billed usage, and what a de-duplicating indexer should
 *   report. An assistant message's `time.created` is unique among originals, so (time.created, tokens, cost)
 *   identifies copies; so does the fork title "… (fork #n)" together with `forks.copied*`.
 * - `legacy`: the JSON tree. Overlap files repeat database ids (the database wins); JSON-only files are history
 *   the database never had; corrupt files must be skipped with a problem report, not crash the reader.
 * - `merged`: database ∪ JSON-only history, deduplicated by id, without fork copies: the expected result of an
 *   indexer that reads both sources correctly.
 */
import type { CorruptFile } from './corrupt.js';
import type { LegacyFileCounts, OverlapCounts } from './legacy.js';
import type { SessionTotals, TokenTotals, Totals } from './stats.js';

export const MANIFEST_VERSION = 1;

export interface MergedTotals {
  sessions: number;
  messages: number;
  parts: number;
  toolCalls: number;
  tokens: TokenTotals;
  cost: number;
}

export interface CorpusManifest {
  manifestVersion: number;
  generator: string;
  opencodeVersion: string;
  options: {
    seed: number;
    sessions: number;
    partsTarget: number | null;
    legacySessions: number;
    corrupt: number;
    events: boolean;
    endTime: string;
    days: number;
  };
  layout: {
    /** The corpus directory is an OpenCode data dir: point $XDG_DATA_HOME/opencode at it. */
    dataDir: '.';
    db: 'opencode.db';
    storage: 'storage' | null;
    manifest: 'manifest.json';
  };
  window: { start: string; end: string; startMs: number; endMs: number };
  tables: Record<string, number>;
  sessions: SessionTotals;
  projects: number;
  todos: number;
  /** Assistant messages that ended with `error`, by error name (originals only). */
  messageErrors: Record<string, number>;
  raw: Totals;
  unique: Totals;
  forks: {
    sessions: number;
    copiedMessages: number;
    copiedParts: number;
    copiedToolCalls: number;
    copiedTokens: TokenTotals;
    copiedCost: number;
  };
  legacy: null | {
    files: LegacyFileCounts;
    jsonOnly: MergedTotals;
    overlap: OverlapCounts;
    corrupt: CorruptFile[];
  };
  merged: MergedTotals;
  elapsedMs: number;
}

export function tokensMinus(a: TokenTotals, b: TokenTotals): TokenTotals {
  return {
    input: a.input - b.input, output: a.output - b.output, reasoning: a.reasoning - b.reasoning,
    cacheRead: a.cacheRead - b.cacheRead, cacheWrite: a.cacheWrite - b.cacheWrite, total: a.total - b.total,
  };
}

export function tokensPlus(a: TokenTotals, b: TokenTotals): TokenTotals {
  return {
    input: a.input + b.input, output: a.output + b.output, reasoning: a.reasoning + b.reasoning,
    cacheRead: a.cacheRead + b.cacheRead, cacheWrite: a.cacheWrite + b.cacheWrite, total: a.total + b.total,
  };
}

export function roundCost(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}

export function mergedOf(sessions: number, totals: Totals): MergedTotals {
  return { sessions, messages: totals.messages, parts: totals.parts, toolCalls: totals.toolCalls, tokens: { ...totals.tokens }, cost: roundCost(totals.cost) };
}

export function addMerged(a: MergedTotals, b: MergedTotals): MergedTotals {
  return {
    sessions: a.sessions + b.sessions, messages: a.messages + b.messages, parts: a.parts + b.parts, toolCalls: a.toolCalls + b.toolCalls,
    tokens: tokensPlus(a.tokens, b.tokens), cost: roundCost(a.cost + b.cost),
  };
}
