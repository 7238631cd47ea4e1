/**
 * Renders the stream benchmark: a plain-text summary for stdout and the `## Stream` section of
 * docs/benchmarks.md (written with `writeSection`, which leaves the other sections alone).
 */
import { median, timeSplit, type StreamFigures } from './streamFigures.js';
import type { PageLoad } from './streamPage.js';
import type { StageTiming } from './streamProfile.js';

const n = (x: number) => Math.round(x).toLocaleString('en-US');
const s = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(2)} s`);
const mib = (bytes: number) => `${n(bytes / 2 ** 20)} MiB`;
const mibKb = (kb: number | null) => (kb === null ? '—' : `${n(kb / 1024)} MiB`);
const mark = (met: boolean | null) => (met === null ? 'not measured' : met ? 'met' : 'NOT met');

function loadRow(label: string, l: PageLoad): string {
  const mbps = l.marks.snapshotReceived > l.marks.firstFrame ? (l.wire.bytes / 2 ** 20 / ((l.marks.snapshotReceived - l.marks.firstFrame) / 1000)).toFixed(0) : '—';
  return `| ${label} | ${s(l.queryableMs)} | ${s(l.marks.duckdbStarted)} | ${s(l.marks.snapshotReceived)} | ${s(l.marks.snapshotApplied)} | ${mib(l.wire.bytes)} (${n(l.wire.frames)} frames) | ${mbps} | ${mib(l.jsHeapPeakBytes)} / ${mib(l.jsHeapUsedBytes)} | ${mib(l.duckdbMemoryBytes)} | ${n(l.partsRows)} |`;
}

const LOAD_HEADER = [
  '| page | goto → queryable | DuckDB started | last snapshot frame | snapshot applied | bytes on the wire | MiB/s received | JS heap, main thread (peak / end) | DuckDB memory | parts rows |',
  '|---|---|---|---|---|---|---|---|---|---|',
];

export function renderStreamMarkdown(f: StreamFigures, command: string): string {
  const m = f.machine;
  const out: string[] = [
    '## Stream',
    '',
    `Measured ${f.date} with \`${command}\` on ${m.cores} cores (${m.cpu}), ${m.ramGb} GB RAM, ${m.os}, Node ${m.node}; CPUs ${m.busyAtStart ?? '?'}% busy in the second before the run.`,
    '',
    `Corpus: ${n(f.corpus.sessions)} sessions, ${n(f.corpus.messages)} messages, ${n(f.corpus.parts)} parts; opencode.db ${n(f.corpus.dbBytes / 1e6)} MB.` +
      ` Index (not part of the stream figures): ${f.index ? `cold \`index\` ${s(f.index.wallMs)}, peak RSS ${mibKb(f.index.peakRssKb)}` : 'an existing warm state dir was reused'};` +
      ` warm \`start\` → URL printed ${s(f.engine.startMs)}, engine RSS then ${mibKb(f.engine.rssKb)}.`,
    '',
    '### Goals',
    '',
    '| goal | target | measured | |',
    '|---|---|---|---|',
    ...f.goals.map((g) => `| ${g.name} | ${g.target} | ${g.actual} | ${mark(g.met)} |`),
    '',
    '### One page at a time',
    '',
    'Times are from the start of navigation (the printed URL, which trades its token for a cookie) in the page’s clock, except "goto → queryable", which is measured by the benchmark from its `goto` call.',
    '',
    ...LOAD_HEADER,
    ...f.single.map((l, i) => loadRow(`run ${i + 1}${i === 0 ? ' (cold browser cache)' : ''}`, l)),
    '',
  ];
  const stages: [string, StageTiming | null][] = [
    ['engine → plain Node WebSocket client (the engine\'s send rate on loopback)', f.nodeProbe],
    ['engine → bare WebSocket in Chromium, bytes only counted (the browser\'s receive rate)', f.profile.browserReceive],
    ['every snapshot chunk inserted into DuckDB-WASM (Node build, same wasm, no worker hop), frames already in memory', f.profile.duckdbInsert],
  ];
  if (stages.some(([, t]) => t)) {
    out.push('Each stage of the path alone, on the same snapshot:', '', '| stage | time | bytes | rate |', '|---|---|---|---|');
    for (const [label, t] of stages) out.push(t ? `| ${label} | ${s(t.ms)} | ${mib(t.bytes)} | ${n(t.bytes / 2 ** 20 / (t.ms / 1000))} MiB/s |` : `| ${label} | — | — | — |`);
    out.push('');
  }
  const typical = f.single[Math.min(1, f.single.length - 1)];
  if (typical) {
    out.push('Where the time of run ' + (f.single.indexOf(typical) + 1) + ' went:', '', '| step | time |', '|---|---|', ...timeSplit(typical).map((t) => `| ${t.label} | ${s(t.ms)} |`), '');
  }
  const inserts = f.profile.duckdbInsert?.tables ?? [];
  if (inserts.length) {
    out.push(
      'DuckDB-WASM inserts by table (Node build; one `insertArrowFromIPCStream` per chunk):',
      '',
      '| table | chunks | MiB | largest chunk | rows | insert time | MiB/s |',
      '|---|---|---|---|---|---|---|',
      ...[...inserts]
        .sort((a, b) => b.ms - a.ms)
        .map((t) => `| ${t.table} | ${n(t.chunks)} | ${(t.bytes / 2 ** 20).toFixed(1)} | ${(t.largestChunkBytes / 2 ** 20).toFixed(2)} MiB | ${n(t.rows)} | ${s(t.ms)} | ${t.ms > 0 ? n(t.bytes / 2 ** 20 / (t.ms / 1000)) : '—'} |`),
      '',
    );
  }
  if (f.browserPssKb) out.push(`Chromium (all its processes, PSS, sampled every 500 ms) during the first single-page load: peak ${mibKb(f.browserPssKb.peak)}, ${mibKb(f.browserPssKb.loaded)} once queryable. The main thread's JS heap stays small because Arrow frames are ArrayBuffers, which V8 keeps outside the heap it reports; they show in the process's memory instead.`, '');
  const c = f.concurrent;
  if (c) {
    out.push(
      `### ${c.pages} pages at once`,
      '',
      `All ${c.pages} opened together; the last was queryable after ${s(c.wallMs)}. Engine RSS sampled every ${c.intervalMs} ms (${c.rss.samples} samples): ${mibKb(c.rss.baselineKb)} before, peak ${mibKb(c.rss.peakKb)}, growth ${mibKb(c.rss.growthKb)}.` +
        (c.browserPssKb !== null ? ` Chromium PSS with ${c.pages} loaded pages: ${mibKb(c.browserPssKb)}.` : ''),
      '',
      ...LOAD_HEADER,
      ...c.loads.map((l, i) => loadRow(`page ${i + 1} of ${c.pages}`, l)),
      '',
    );
  }
  if (f.errors.length) out.push('### Errors', '', ...f.errors.map((e) => `- ${e}`), '');
  out.push(
    '### Method',
    '',
    '- The corpus is indexed first (`opencode-monitor index` into a fresh state dir), so `start` is warm and the figures are the stream, not the index.',
    '- Each page is a fresh tab in the system Chromium (playwright-core, headless). A `WebSocket` subclass installed before the app counts every frame the page receives (text frames as UTF-8 bytes) and marks times; "snapshot applied" is `window.opencodeMonitor.ready` (snapshot-done applied to DuckDB-WASM), "queryable" is the answer to `SELECT count(*) FROM parts` right after it.',
    '- JS heap is the page main thread\'s (CDP `Performance.getMetrics` JSHeapUsedSize); DuckDB-WASM runs in a worker, so its memory is reported by DuckDB itself (`duckdb_memory()`); Chromium PSS sums all its processes from /proc.',
    '- "RSS flat": the engine\'s VmRSS, sampled every 250 ms while all pages load, may grow by at most pages × the 8 MiB flow-control bound plus one snapshot of slack; buffering each page\'s snapshot would cost pages × snapshot.',
    '',
  );
  return out.join('\n');
}

export function renderStreamText(f: StreamFigures): string {
  const lines = [
    `corpus: ${n(f.corpus.parts)} parts; index ${f.index ? s(f.index.wallMs) : 'reused'}; engine warm start ${s(f.engine.startMs)}`,
    ...f.single.map((l, i) => `run ${i + 1}: queryable ${s(l.queryableMs)}; duckdb ${s(l.marks.duckdbStarted)}, last frame ${s(l.marks.snapshotReceived)}, applied ${s(l.marks.snapshotApplied)}; ${mib(l.wire.bytes)} on the wire; heap peak ${mib(l.jsHeapPeakBytes)} (end ${mib(l.jsHeapUsedBytes)}), duckdb ${mib(l.duckdbMemoryBytes)}`),
  ];
  if (f.nodeProbe) lines.push(`node client snapshot: ${mib(f.nodeProbe.bytes)} in ${s(f.nodeProbe.ms)}`);
  if (f.profile.browserReceive) lines.push(`bare browser WebSocket: ${mib(f.profile.browserReceive.bytes)} in ${s(f.profile.browserReceive.ms)}`);
  if (f.profile.duckdbInsert) lines.push(`DuckDB-WASM inserts alone (Node build): ${mib(f.profile.duckdbInsert.bytes)} in ${s(f.profile.duckdbInsert.ms)}`);
  const c = f.concurrent;
  if (c) lines.push(`${c.pages} pages: all queryable in ${s(c.wallMs)} (median ${s(median(c.loads.map((l) => l.queryableMs)))}); engine RSS ${mibKb(c.rss.baselineKb)} → peak ${mibKb(c.rss.peakKb)} (+${mibKb(c.rss.growthKb)})`);
  lines.push(...f.goals.map((g) => `goal: ${g.name}: ${g.actual} (target ${g.target}) — ${mark(g.met)}`), ...f.errors.map((e) => `error: ${e}`));
  return lines.join('\n') + '\n';
}
