/**
 * One dashboard page loading the engine's snapshot in headless Chromium, measured from inside the page: every
 * WebSocket frame is counted as the page's JavaScript receives it (a `WebSocket` subclass installed before the
 * app runs); the snapshot body (protocol 3: the tables come as an HTTP body, `hello.snapshotPath`) is read from
 * the page's Resource Timing entry (its size, first and last byte); the moments DuckDB-WASM started, the socket
 * opened, the snapshot was applied (`opencodeMonitor.ready`) and a `SELECT count(*) FROM parts` answered; then
 * the main thread's JS heap (CDP `Performance.getMetrics`) and DuckDB's own memory (`duckdb_memory()`).
 */
import type { BrowserContext, Page } from 'playwright-core';

const HEAP_SAMPLE_MS = 250;

/** Installed before any page script: counts frames and marks times on `window.__ocmWire` (page clock, ms). */
const INSTRUMENT = `(() => {
  const wire = { frames: 0, bytes: 0, textBytes: 0, binaryBytes: 0, binaryFrames: 0,
    openAt: -1, firstFrameAt: -1, helloAt: -1, snapshotDoneAt: -1, lastFrameAt: -1, duckdbAt: -1 };
  window.__ocmWire = wire;
  // The dashboard loads a few dozen resources; keep room so the snapshot body's entry is never dropped.
  performance.setResourceTimingBufferSize(1000);
  const Native = window.WebSocket;
  const utf8 = new TextEncoder();
  class CountingWebSocket extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      this.addEventListener('open', () => { if (wire.openAt < 0) wire.openAt = performance.now(); });
      this.addEventListener('message', (event) => {
        const now = performance.now();
        if (wire.firstFrameAt < 0) wire.firstFrameAt = now;
        wire.lastFrameAt = now;
        wire.frames++;
        if (typeof event.data === 'string') {
          const n = utf8.encode(event.data).byteLength;
          wire.bytes += n;
          wire.textBytes += n;
          if (event.data.startsWith('{"type":"snapshot-done"')) wire.snapshotDoneAt = now;
          else if (event.data.startsWith('{"type":"hello"') && wire.helloAt < 0) wire.helloAt = now;
        } else {
          wire.bytes += event.data.byteLength;
          wire.binaryBytes += event.data.byteLength;
          wire.binaryFrames++;
        }
      });
    }
  }
  window.WebSocket = CountingWebSocket;
  // The status line names DuckDB's version once DuckDB-WASM has started.
  document.addEventListener('DOMContentLoaded', () => {
    const seen = () => /DuckDB v\\d/.test(document.querySelector('[data-testid="status-line"]')?.textContent ?? '');
    const observer = new MutationObserver(() => {
      if (wire.duckdbAt < 0 && seen()) { wire.duckdbAt = performance.now(); observer.disconnect(); }
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
  });
})();`;

export interface WireCounts {
  /** Socket frames. */
  readonly frames: number;
  /** Socket bytes plus the snapshot body's. */
  readonly bytes: number;
  /** The snapshot body's bytes (its Resource Timing `encodedBodySize`); 0 when the page fetched none. */
  readonly bodyBytes: number;
  readonly textBytes: number;
  readonly binaryBytes: number;
  readonly binaryFrames: number;
}

/** Milliseconds since the page's navigation started (its `performance.timeOrigin`); -1 when not seen. */
export interface PageMarks {
  readonly duckdbStarted: number;
  readonly socketOpen: number;
  /** The snapshot body's first byte (`responseStart`); the first socket frame when there was no body. */
  readonly firstFrame: number;
  /** The snapshot body's last byte (`responseEnd`); `snapshot-done` on the socket when there was no body. */
  readonly snapshotReceived: number;
  readonly snapshotApplied: number;
  readonly queryable: number;
}

export interface PageLoad {
  /** From the `goto` call (Node clock) to the count query's answer: what a user waits for. */
  readonly queryableMs: number;
  readonly marks: PageMarks;
  readonly wire: WireCounts;
  readonly partsRows: number;
  /** The main thread's JS heap once queryable, and its peak while loading (sampled every 250 ms). */
  readonly jsHeapUsedBytes: number;
  readonly jsHeapPeakBytes: number;
  readonly jsHeapTotalBytes: number;
  /** DuckDB-WASM's own accounting of the memory it holds (in its worker, outside the JS heap). */
  readonly duckdbMemoryBytes: number;
  /** Dashboard-like queries right after, ms each (`QUERIES`): whether the tables answer as fast both ways. */
  readonly queries: Readonly<Record<string, number>>;
}

/** Run once each after the load, timed in the page. */
export const QUERIES: Readonly<Record<string, string>> = {
  'parts by type': 'SELECT type, count(*) FROM parts GROUP BY 1',
  'tool calls by tool and status': 'SELECT tool, status, count(*) FROM tool_calls GROUP BY ALL',
  'parts by agent (join messages)': 'SELECT m.agent, count(*) FROM parts p JOIN messages m ON m.id = p.message_id GROUP BY 1',
  'cost by day': 'SELECT day, sum(cost) FROM daily_stats GROUP BY 1 ORDER BY 1',
};

/** The snapshot body's Resource Timing entry, reduced to what the figures use (page clock). */
interface BodyTiming {
  readonly bytes: number;
  readonly responseStart: number;
  readonly responseEnd: number;
}

interface InPage {
  readonly wire: Omit<WireCounts, 'bodyBytes'> & { openAt: number; firstFrameAt: number; snapshotDoneAt: number; duckdbAt: number };
  readonly body: BodyTiming | null;
  readonly readyAt: number;
  readonly queryableAt: number;
  readonly partsRows: number;
  readonly duckdbMemoryBytes: number;
  readonly timeOrigin: number;
  readonly queries: Record<string, number>;
}

/** A page with the instrument installed; navigate it with `loadPage`. */
export async function instrumentedPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.addInitScript({ content: INSTRUMENT });
  return page;
}

/**
 * Opens `url` in `page` and waits (at most `timeoutMs`) until the snapshot is applied and a count answers; then,
 * with `timeQueries`, runs `QUERIES` once each.
 */
export async function loadPage(page: Page, url: string, timeoutMs: number, timeQueries = false): Promise<PageLoad> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const heapUsed = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
  // The snapshot passes through the main thread's heap on its way to DuckDB's worker: sample its peak.
  let peakHeap = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peakHeap = Math.max(peakHeap, await heapUsed().catch(() => 0));
      await new Promise((resolve) => setTimeout(resolve, HEAP_SAMPLE_MS));
    }
  })();
  const startedWall = Date.now();
  await page.goto(url, { waitUntil: 'commit', timeout: timeoutMs });
  const inPage = await measureInPage(page, timeoutMs, timeQueries ? QUERIES : {}).finally(() => (sampling = false));
  await sampler;
  const queryableMs = inPage.timeOrigin + inPage.queryableAt - startedWall;
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
  const w = inPage.wire;
  const body = inPage.body;
  return {
    queryableMs,
    marks: {
      duckdbStarted: w.duckdbAt,
      socketOpen: w.openAt,
      firstFrame: body ? body.responseStart : w.firstFrameAt,
      snapshotReceived: body ? body.responseEnd : w.snapshotDoneAt,
      snapshotApplied: inPage.readyAt,
      queryable: inPage.queryableAt,
    },
    wire: { frames: w.frames, bytes: w.bytes + (body?.bytes ?? 0), bodyBytes: body?.bytes ?? 0, textBytes: w.textBytes, binaryBytes: w.binaryBytes, binaryFrames: w.binaryFrames },
    partsRows: inPage.partsRows,
    jsHeapUsedBytes: metric('JSHeapUsedSize'),
    jsHeapPeakBytes: Math.max(peakHeap, metric('JSHeapUsedSize')),
    jsHeapTotalBytes: metric('JSHeapTotalSize'),
    duckdbMemoryBytes: inPage.duckdbMemoryBytes,
    queries: inPage.queries,
  };
}

async function measureInPage(page: Page, timeoutMs: number, queries: Readonly<Record<string, string>>): Promise<InPage> {
  return (await page.evaluate(async ([limitMs, queries]) => {
    type Hook = { ready: Promise<unknown>; query(sql: string): Promise<Record<string, unknown>[]> };
    const w = window as unknown as { opencodeMonitor?: Hook; __ocmWire: InPage['wire'] };
    const deadline = performance.now() + limitMs;
    while (!w.opencodeMonitor) {
      if (performance.now() > deadline) throw new Error('the page never exposed window.opencodeMonitor');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const hook = w.opencodeMonitor;
    await Promise.race([hook.ready, new Promise((_, reject) => setTimeout(() => reject(new Error(`no snapshot within ${limitMs} ms`)), limitMs))]);
    const readyAt = performance.now();
    const [row] = await hook.query('SELECT count(*)::BIGINT AS n FROM parts');
    const queryableAt = performance.now();
    const [memory] = await hook.query('SELECT coalesce(sum(memory_usage_bytes), 0)::BIGINT AS bytes FROM duckdb_memory()');
    const timed: Record<string, number> = {};
    for (const [label, sql] of Object.entries(queries)) {
      const begun = performance.now();
      await hook.query(sql);
      timed[label] = Math.round(performance.now() - begun);
    }
    // The last one: a reconnect fetches a fresh body, and that is the one the ready snapshot came from.
    const entry = performance
      .getEntriesByType('resource')
      .filter((e) => e.name.includes('/snapshot/'))
      .at(-1) as PerformanceResourceTiming | undefined;
    const body = entry ? { bytes: entry.encodedBodySize || entry.transferSize, responseStart: entry.responseStart, responseEnd: entry.responseEnd } : null;
    // The page marks DuckDB-WASM ready itself (ui/src/db/duckdb.ts); the status line is the fallback.
    const duckdbReady = performance.getEntriesByName('ocm:duckdb-ready')[0]?.startTime;
    return { wire: { ...w.__ocmWire, ...(duckdbReady === undefined ? {} : { duckdbAt: duckdbReady }) }, body, readyAt, queryableAt, partsRows: Number(row?.['n']), duckdbMemoryBytes: Number(memory?.['bytes']), timeOrigin: performance.timeOrigin, queries: timed };
  }, [timeoutMs, queries] as const)) as InPage;
}
