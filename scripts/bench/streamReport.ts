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

/** The receive rate over the snapshot body's first to last byte (over the socket's frames without a body). */
function receivedMiBps(l: PageLoad): string {
  const span = l.marks.snapshotReceived - l.marks.firstFrame;
  const bytes = l.wire.bodyBytes > 0 ? l.wire.bodyBytes : l.wire.bytes;
  return span > 0 ? (bytes / 2 ** 20 / (span / 1000)).toFixed(0) : '—';
}

function loadRow(label: string, l: PageLoad): string {
  const wire = `${mib(l.wire.bytes)} (body ${mib(l.wire.bodyBytes)} + ${n(l.wire.frames)} socket frames)`;
  return `| ${label} | ${s(l.queryableMs)} | ${s(l.marks.duckdbStarted)} | ${s(l.marks.snapshotReceived)} | ${s(l.marks.snapshotApplied)} | ${wire} | ${receivedMiBps(l)} | ${mib(l.jsHeapPeakBytes)} / ${mib(l.jsHeapUsedBytes)} | ${mib(l.duckdbMemoryBytes)} | ${n(l.partsRows)} |`;
}

const LOAD_HEADER = [
  '| page | goto → queryable | DuckDB started | last byte of the snapshot body | snapshot applied | bytes on the wire (socket + snapshot body) | MiB/s received (body) | JS heap, main thread (peak / end) | DuckDB memory | parts rows |',
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
    ...f.single.map((l, i) => loadRow(`run ${i + 1}${i === 0 ? ' (cold browser cache)' : ''}: DuckDB file attached`, l)),
    ...f.singleArrow.map((l, i) => loadRow(`run ${i + 1}: Arrow snapshot body (\`?attach=0\`)`, l)),
    '',
  ];
  const fileMedian = median(f.single.map((l) => l.queryableMs));
  const arrowMedian = median(f.singleArrow.map((l) => l.queryableMs));
  if (f.snapshotFile) {
    out.push(
      `The DuckDB file the engine offered: ${mib(f.snapshotFile.bytes)} at seq ${n(f.snapshotFile.seq)}, ready ${s(f.snapshotFile.afterStartMs)} after the URL was printed (the first derive after a warm start, ${'2 s'} of quiet, then the file written on a worker thread and native DuckDB).` +
        (fileMedian !== null && arrowMedian !== null ? ` Median to queryable: ${s(fileMedian)} attaching it against ${s(arrowMedian)} inserting the Arrow body, ${(arrowMedian / fileMedian).toFixed(1)} × faster, same run, alternating.` : ''),
      '',
    );
  }
  if (f.single.length > 0 && f.singleArrow.length > 0) {
    const medianOf = (loads: readonly PageLoad[], label: string) => median(loads.map((l) => l.queries[label] ?? NaN).filter((ms) => !Number.isNaN(ms)));
    const labels = Object.keys(f.single[0]!.queries);
    out.push(
      'Queries right after each load, median ms (the file\'s tables are views: the overlay, plus the file\'s rows whose key is not in the "gone" table):',
      '',
      '| query | DuckDB file attached | Arrow snapshot inserted |',
      '|---|---|---|',
      ...labels.map((label) => `| ${label} | ${n(medianOf(f.single, label) ?? NaN)} | ${n(medianOf(f.singleArrow, label) ?? NaN)} |`),
      '',
    );
  }
  const stages: [string, StageTiming | null][] = [
    ['engine → plain Node client, WebSocket + `fetch` of the snapshot body (the engine\'s send rate on loopback)', f.nodeProbe],
    ['engine → Chromium, the page\'s path alone (WebSocket, then `fetch` of the body), bytes only counted (the browser\'s receive rate)', f.profile.browserReceive],
    ['DuckDB-WASM inserts (Node build, same wasm, no worker hop), each table inserted once (its pieces joined), body already in memory', f.profile.duckdbInsert],
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
      'DuckDB-WASM inserts by table (Node build; each table inserted once (its pieces joined): one `insertArrowFromIPCStream` per IPC stream, normally one per table):',
      '',
      '| table | body pieces | inserts | MiB | largest insert | rows | insert time | MiB/s |',
      '|---|---|---|---|---|---|---|---|',
      ...[...inserts]
        .sort((a, b) => b.ms - a.ms)
        .map((t) => `| ${t.table} | ${n(t.chunks)} | ${n(t.inserts)} | ${(t.bytes / 2 ** 20).toFixed(1)} | ${(t.largestInsertBytes / 2 ** 20).toFixed(2)} MiB | ${n(t.rows)} | ${s(t.ms)} | ${t.ms > 0 ? n(t.bytes / 2 ** 20 / (t.ms / 1000)) : '—'} |`),
      '',
    );
  }
  if (f.browserPssKb) out.push(`Chromium (all its processes, PSS, sampled every 500 ms) during the first single-page load: peak ${mibKb(f.browserPssKb.peak)}, ${mibKb(f.browserPssKb.loaded)} once queryable. The main thread's JS heap stays small because the snapshot body's slices and Arrow pieces are ArrayBuffers, which V8 keeps outside the heap it reports; they show in the process's memory instead.`, '');
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
    '- Protocol 3: the snapshot\'s tables come as an HTTP body, not as WebSocket frames. `hello` names a single-use path (`/snapshot/<ticket>`, same token as the socket); the page `fetch`es it and gets each table as one Arrow IPC stream cut into `arrow-chunk` records; deltas stay on the socket, and `snapshot-done` follows once the body was written. Why: on this machine Chromium receives a WebSocket at about 80 MiB/s but a `fetch` body at about 600 MiB/s (a bare 600 MiB transfer of each, measured by hand), so the socket, not the engine or DuckDB, bounded the load.',
    '- Pages open the dashboard as a user does; it asks for the engine\'s DuckDB file (`/ws?attach=1`): `hello.snapshotFile` names it (same single-use `/snapshot/<ticket>` route), the page fetches it, registers it with DuckDB-WASM and `ATTACH`es it read-only, each table a view over the file plus an overlay for later changes; the seq\'d messages since the file\'s seq follow, then `snapshot-done`. The Arrow rows open the same page with `?attach=0`: the snapshot body is inserted table by table. The benchmark waits for the engine to offer its file before the first page.',
    '- "Bytes on the wire" are the socket\'s frames (text as UTF-8 bytes) plus the snapshot body.',
    '- Each page is a fresh tab in the system Chromium (playwright-core, headless). A `WebSocket` subclass installed before the app counts every frame the page receives (text frames as UTF-8 bytes) and marks times; the snapshot body\'s size and its first and last byte come from the page\'s Resource Timing entry for `/snapshot/` (`encodedBodySize`, `responseStart`, `responseEnd`); "snapshot applied" is `window.opencodeMonitor.ready` (snapshot-done applied to DuckDB-WASM), "queryable" is the answer to `SELECT count(*) FROM parts` right after it.',
    '- JS heap is the page main thread\'s (CDP `Performance.getMetrics` JSHeapUsedSize); DuckDB-WASM runs in a worker, so its memory is reported by DuckDB itself (`duckdb_memory()`); Chromium PSS sums all its processes from /proc.',
    '- "RSS flat": the engine\'s VmRSS, sampled every 250 ms while all pages load, may grow by at most pages × the 8 MiB flow-control bound (the body is written through the same paced sender as the socket) plus one snapshot of slack; buffering each page\'s snapshot would cost pages × snapshot.',
    '',
  );
  return out.join('\n');
}

export function renderStreamText(f: StreamFigures): string {
  const lines = [
    `corpus: ${n(f.corpus.parts)} parts; index ${f.index ? s(f.index.wallMs) : 'reused'}; engine warm start ${s(f.engine.startMs)}`,
    ...(f.snapshotFile ? [`DuckDB file: ${mib(f.snapshotFile.bytes)} at seq ${f.snapshotFile.seq}, ready ${s(f.snapshotFile.afterStartMs)} after the URL`] : []),
    ...f.singleArrow.map((l, i) => `arrow run ${i + 1}: queryable ${s(l.queryableMs)}; body last byte ${s(l.marks.snapshotReceived)}, applied ${s(l.marks.snapshotApplied)}; ${mib(l.wire.bytes)} on the wire`),
    ...f.single.map((l, i) => `run ${i + 1}: queryable ${s(l.queryableMs)}; duckdb ${s(l.marks.duckdbStarted)}, body last byte ${s(l.marks.snapshotReceived)}, applied ${s(l.marks.snapshotApplied)}; ${mib(l.wire.bytes)} on the wire (body ${mib(l.wire.bodyBytes)}, ${receivedMiBps(l)} MiB/s); heap peak ${mib(l.jsHeapPeakBytes)} (end ${mib(l.jsHeapUsedBytes)}), duckdb ${mib(l.duckdbMemoryBytes)}`),
  ];
  const rate = (t: StageTiming) => (t.ms > 0 ? `${n(t.bytes / 2 ** 20 / (t.ms / 1000))} MiB/s` : '—');
  if (f.nodeProbe) lines.push(`node client snapshot (socket + body): ${mib(f.nodeProbe.bytes)} in ${s(f.nodeProbe.ms)} (${rate(f.nodeProbe)})`);
  if (f.profile.browserReceive) lines.push(`bare browser receive (socket + fetch of the body): ${mib(f.profile.browserReceive.bytes)} in ${s(f.profile.browserReceive.ms)} (${rate(f.profile.browserReceive)})`);
  if (f.profile.duckdbInsert) lines.push(`DuckDB-WASM inserts alone (Node build, each table once): ${mib(f.profile.duckdbInsert.bytes)} in ${s(f.profile.duckdbInsert.ms)} (${rate(f.profile.duckdbInsert)})`);
  const c = f.concurrent;
  if (c) lines.push(`${c.pages} pages: all queryable in ${s(c.wallMs)} (median ${s(median(c.loads.map((l) => l.queryableMs)))}); engine RSS ${mibKb(c.rss.baselineKb)} → peak ${mibKb(c.rss.peakKb)} (+${mibKb(c.rss.growthKb)})`);
  lines.push(...f.goals.map((g) => `goal: ${g.name}: ${g.actual} (target ${g.target}) — ${mark(g.met)}`), ...f.errors.map((e) => `error: ${e}`));
  return lines.join('\n') + '\n';
}
