/**
 * Renders the figures: a plain-text table for stdout and the `## Ingest` section of docs/benchmarks.md, which
 * is replaced on every run (the rest of the file is left alone).
 */
import fs from 'node:fs';
import { mb, type Figures, type TokenRow } from './figures.js';

const REFERENCE_PARTS = 1_000_000;
const n = (x: number) => Math.round(x).toLocaleString('en-US');
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const ms = (x: number | null) => (x === null ? '—' : `${Math.round(x)} ms`);
const rss = (kb: number | undefined) => (kb ? `${n(mb(kb))} MB` : '—');
const rate = (rows: number, wallMs: number) => `${n(rows / (wallMs / 1000))} rows/s`;
const busy = (p: number | null) => (p === null ? '?' : `${p}%`);
const mark = (met: boolean | null) => (met === null ? 'not measured' : met ? 'met' : 'NOT met');

interface Line {
  step: string;
  time: string;
  rate: string;
  rss: string;
  note: string;
}

function stepLines(f: Figures): Line[] {
  const rows = f.limit.rows;
  const lines: Line[] = [
    { step: `(a) limit: read + JSON.parse every message/part row, ${f.limit.workers} threads (best of 2)`, time: s(f.limit.readMs), rate: rate(rows, f.limit.readMs), rss: '—', note: `${n(rows)} rows, ${n(f.limit.chars / 1e6)} M chars; ${s(f.limit.totalMs)} with thread start-up` },
  ];
  if (f.cold) lines.push({ step: '(b) engine cold index (`index --json`, fresh state dir)', time: s(f.cold.wallMs), rate: rate(rows, f.cold.wallMs), rss: rss(f.cold.peakRssKb), note: `engine's own elapsedMs ${s(f.cold.engineMs)}; a/b = ${(f.limit.readMs / f.cold.wallMs).toFixed(3)}` });
  if (f.warm) lines.push({ step: '(c) engine warm restart (`index --json`, state of b)', time: s(f.warm.wallMs), rate: '', rss: rss(f.warm.peakRssKb), note: `mode ${f.warm.mode}; engine's own elapsedMs ${s(f.warm.engineMs)}` });
  if (f.live) {
    const l = f.live;
    lines.push({ step: '(d) engine `start` on the state of b: spawn → URL printed', time: s(l.readyMs), rate: '', rss: rss(l.peakRssKb), note: `one full WebSocket snapshot: ${n(l.snapshot.bytes / 1e6)} MB in ${s(l.snapshot.ms)}` });
    lines.push({
      step: `(d) live latency, commit → shown (${l.latenciesMs.length} of ${l.attempted} changes shown)`,
      time: `p50 ${ms(l.p50Ms)}`,
      rate: `p95 ${ms(l.p95Ms)}`,
      rss: '',
      note: `${l.p50LowerMs ? `at least p50 ${ms(l.p50LowerMs)} / p95 ${ms(l.p95LowerMs)}; ` : ''}max ${ms(l.maxMs)}; refresh done (sources) first in ${l.sourcesLatenciesMs.length}, p50 ${ms(l.sourcesP50Ms)}; pushed frames: ${l.pushFrames}`,
    });
  }
  if (f.live) {
    const l = f.live;
    lines.push({
      step: `(d) live latency, commit → pushed to an open connection (${l.pushedLatenciesMs.length} of ${l.attempted} changes)`,
      time: `p50 ${ms(l.pushedP50Ms)}`,
      rate: `p95 ${ms(l.pushedP95Ms)}`,
      rss: '',
      note: `max ${ms(l.pushedMaxMs)}; the frame (a \`parts\` upsert) that carried the new row to the connection opened at the start`,
    });
  }
  if (f.liveEngine) {
    const e = f.liveEngine;
    lines.push({
      step: `(d) live latency in the engine: commit → row in its tables (${e.attempted - e.missed} of ${e.attempted} changes)`,
      time: `p50 ${ms(e.bodyP50Ms)}`,
      rate: `p95 ${ms(e.bodyP95Ms)}`,
      rss: '',
      note: `max ${ms(e.bodyMaxMs)}; derived tables (sessions, exchanges, stats) rebuilt p50 ${ms(e.derivedP50Ms)} / p95 ${ms(e.derivedP95Ms)}`,
    });
  }
  if (f.peer) lines.push({ step: '(f) ccusage 20.0.24 `opencode daily --json --offline`', time: s(f.peer.wallMs), rate: rate(rows, f.peer.wallMs), rss: rss(f.peer.peakRssKb), note: `${f.peer.days} days; ccusage/engine cold = ${f.cold ? (f.peer.wallMs / f.cold.wallMs).toFixed(2) : '—'}${f.warm ? `, ccusage/engine warm = ${(f.peer.wallMs / f.warm.wallMs).toFixed(2)}` : ''}` });
  return lines;
}

function pad(cells: string[][]): string {
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

function tokenCells(rows: readonly TokenRow[]): string[][] {
  return rows.map((r) => [r.label, n(r.tokens.input), n(r.tokens.output), n(r.tokens.reasoning), n(r.tokens.cacheRead), n(r.tokens.cacheWrite), n(r.tokens.total)]);
}

const TOKEN_HEADER = ['source', 'input', 'output', 'reasoning', 'cache read', 'cache write', 'total'];

function corpusLine(f: Figures): string {
  const c = f.corpus;
  const label = c.partsTarget === REFERENCE_PARTS ? 'reference size' : `QUICK RUN, not the ${n(REFERENCE_PARTS)}-part reference`;
  return `--parts ${n(c.partsTarget)} (${label}): ${n(c.sessions)} sessions, ${n(c.messages)} messages, ${n(c.parts)} parts (database + legacy JSON-only), opencode.db ${n(c.dbBytes / 1e6)} MB, ${n(c.legacyFiles)} legacy JSON files`;
}

export function renderText(f: Figures): string {
  const m = f.machine;
  const out = [
    `bench:ingest — ${f.date} — ${m.cores} cores (${m.cpu}), ${m.ramGb} GB RAM, Node ${m.node}, CPUs ${busy(m.busyAtStart)} busy before the run`,
    `corpus ${corpusLine(f)}`,
    '',
    pad([['step', 'time', 'rate', 'peak RSS', 'note'], ...stepLines(f).map((l) => [l.step, l.time, l.rate, l.rss, l.note])]),
    '',
    'goals',
    pad(f.goals.map((g) => [`  ${g.met === null ? '?' : g.met ? '✔' : '✘'} ${g.name}`, g.target, g.actual, mark(g.met)])),
    '',
    'tokens',
    pad([TOKEN_HEADER, ...tokenCells(f.tokens.rows)]),
    ...f.tokens.notes.map((x) => `  - ${x}`),
  ];
  if (f.live?.stoppedEarly) out.push(`live phase stopped early: ${f.live.stoppedEarly}`);
  for (const e of f.errors) out.push(`ERROR ${e}`);
  return out.join('\n') + '\n';
}

function mdTable(header: string[], rows: string[][]): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

const METHOD = `How each figure is taken (\`scripts/bench/ingest.ts\`). Rates are the database's message and part rows divided
by the step's time, for every step, so they compare directly.

- **(a) limit**: one worker thread per core opens \`opencode.db\` read-only with better-sqlite3 and reads its rowid
  share of \`message\` and \`part\`, \`JSON.parse\`-ing every \`data\` value (counts are summed so nothing is optimised
  away). Timed from "go" (threads started, database open) to the last result; the page cache is warm. The legacy
  JSON tree is not part of the limit; the engine reads it too.
- **(b) cold index**: \`bin/opencode-monitor index --data-dir DIR --state-dir <new empty dir> --json\` as a child
  process; wall time from spawn to exit (Node + tsx start-up included). Peak RSS is the highest VmHWM/VmRSS of
  \`/proc/<pid>/status\`, polled every 50 ms; the engine's Piscina workers are threads of that one process.
- **(c) warm restart**: the same command on the state dir (b) left; it loads the persisted Arrow segments and
  reads only what changed.
- **(d) live in the engine**: the indexer and storage watcher that \`start\` runs, in the benchmark's own process,
  warm-started from the state dir of (b); the same OpenCode-style changes as below, one at a time after a 250 ms
  pause. Timed from the commit to the indexer's change notice whose newest \`parts\` chunk holds the new row, and
  to the next rebuild of the derived tables. This is the goal's "in the engine's tables".
- **(d) live**: \`bin/opencode-monitor start --port 0\` on the state dir of (b) (a warm start), with its own
  XDG_CONFIG_HOME. Each change is one OpenCode-style transaction in \`opencode.db\`: a new \`text\` part row in the
  newest message plus its \`event_sequence\` bump and \`message.part.updated.1\` \`event\` row (ids in OpenCode's
  format), one at a time after a 250 ms pause. A connection held open all along records every frame the engine
  pushes after \`snapshot-done\` (see Remarks): a change is "pushed" when a \`parts\` frame holding its row
  arrives there (what an open dashboard sees). A change is "shown" when a **new** connection's snapshot, which
  the engine takes as the connection opens, holds it. Cheap probes read only the \`sources\` table (a few kB,
  rebuilt after a refresh that changed something, at most once a minute) every 25 ms; a probe reads up to the \`parts\` table as
  soon as \`sources\` counts the new part, and otherwise every 100 ms or twice its own last duration, whichever is
  longer (hundreds of MB per probe on a large corpus, so it must not run back to back). The latency is the open
  time of the first probe whose \`parts\` table holds the row minus the commit time (an upper bound); the open
  time of the last \`parts\` probe without it gives the lower bound ("at least"). Bounds: 120 s per change (a change
  not shown by then counts as missed; two in a row end the phase), 5 minutes for the whole phase, at most the
  \`--changes\` asked for. All rows written are deleted again at the end.
- **(f) ccusage**: its native binary (from the registry package \`@ccusage/ccusage-linux-x64\`, so no Node start-up
  of the npm wrapper is counted) with \`XDG_DATA_HOME\` = the parent of the corpus, a throwaway HOME, offline.
  Its token columns are summed over days; it has no reasoning column, but its \`totalTokens\` includes reasoning.`;

export function renderMarkdown(f: Figures, command: string): string {
  const m = f.machine;
  const lines = [
    '## Ingest',
    '',
    `Measured ${f.date} with \`${command}\` on ${m.cores} cores (${m.cpu}), ${m.ramGb} GB RAM, ${m.os}, Node ${m.node}; CPUs ${busy(m.busyAtStart)} busy in the second before the run.`,
    '',
    `Corpus ${corpusLine(f)}.${f.corpus.generatedMs ? ` Generated in ${s(f.corpus.generatedMs)}.` : ''}`,
    '',
    mdTable(['step', 'time', 'rate', 'peak RSS', 'note'], stepLines(f).map((l) => [l.step, l.time, l.rate, l.rss, l.note])),
    '',
    '### Goals',
    '',
    mdTable(['goal', 'target', 'measured', 'verdict'], f.goals.map((g) => [g.name, g.target, g.actual, `**${mark(g.met)}**`])),
    '',
    '### Token totals: engine, ccusage and the corpus',
    '',
    mdTable(TOKEN_HEADER, tokenCells(f.tokens.rows)),
    '',
    ...f.tokens.notes.map((x) => `- ${x}`),
    '',
  ];
  const remarks: string[] = [];
  if (f.live) {
    remarks.push(f.live.pushFrames === 0 ? 'The engine pushed no frame after `snapshot-done` during the live phase: a dashboard sees a change only when it reconnects and receives a full snapshot again.' : `The engine pushed ${f.live.pushFrames} frames after its snapshot (${f.live.pushKinds.join(', ')}).`);
    if (f.live.missed) remarks.push(`${f.live.missed} of ${f.live.attempted} changes were never shown within the per-change timeout.`);
    for (const miss of f.live.missDetails) {
      const seen = (x: number | null) => (x === null ? 'no answer' : n(x));
      remarks.push(
        miss.stage === 'refresh'
          ? `A missed change never reached the end of a refresh: the \`sources\` row counted ${seen(miss.last.dbParts)} database parts (expected ${n(miss.expected.dbParts)}), the \`parts\` table ${seen(miss.last.engineParts)} rows (expected ${n(miss.expected.engineParts)}).`
          : `A missed change was counted by a refresh but never reached the \`parts\` table: ${seen(miss.last.engineParts)} rows, expected ${n(miss.expected.engineParts)}.`,
      );
    }
    if (f.live.stoppedEarly) remarks.push(`The live phase stopped early: ${f.live.stoppedEarly}.`);
  }
  for (const e of f.errors) remarks.push(`Error: ${e}`);
  if (remarks.length) lines.push('### Remarks', '', ...remarks.map((x) => `- ${x}`), '');
  lines.push('### Method', '', METHOD, '');
  return lines.join('\n');
}

const INTRO = `# Benchmarks

Speed and memory figures measured by the \`npm run bench:*\` scripts on a real machine. Each script rewrites its
own section and leaves the others alone. Tests never assert on timing (see [development.md](development.md)).

`;

/** Replaces the `## <heading>` section of the file (up to the next `## ` heading), or appends it. */
export function writeSection(file: string, section: string, heading = 'Ingest'): void {
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : INTRO;
  const start = current.search(new RegExp(`^## ${heading}\\s*$`, 'm'));
  let next: string;
  if (start === -1) {
    next = current.replace(/\n*$/, '\n\n') + section;
  } else {
    const headingEnd = current.indexOf('\n', start);
    const after = headingEnd === -1 ? '' : current.slice(headingEnd + 1);
    const end = after.search(/^## /m);
    next = current.slice(0, start) + section + (end === -1 ? '' : '\n' + after.slice(end));
  }
  fs.writeFileSync(file, next.replace(/\n*$/, '\n'));
}
