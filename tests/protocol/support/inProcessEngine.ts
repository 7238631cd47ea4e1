/**
 * The engine as `start` wires it, in the test process: indexer over a data dir, the stream hub fed by the
 * store, the server with the content resolver. Refreshes are driven by the test (no watcher), so each batch
 * of writes turns into a known set of deltas.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { storeSnapshot } from '../../../engine/src/cli/snapshot.js';
import { createIndexer, type Indexer } from '../../../engine/src/ingest/index.js';
import { silentLogger } from '../../../engine/src/log.js';
import { createIngestPool, type IngestPool } from '../../../engine/src/pipeline/index.js';
import {
  createContentResolver,
  createStreamHub,
  startServer,
  streamStoreChanges,
  type RingLimits,
  type RunningServer,
  type StreamHub,
} from '../../../engine/src/serve/index.js';

export const TEST_TOKEN = 'protocol-test-token-0123456789abcdefghijkl';

export interface EngineUnderTest {
  readonly indexer: Indexer;
  readonly pool: IngestPool;
  /**
   * Adds a server with its own hub (and ring limits) over the same tables; with `files`, the hub keeps a DuckDB
   * file for clients that attach one, written only when the test calls `hub.snapshotFiles.writeNow()`.
   */
  serve(ring?: RingLimits, options?: { readonly files?: boolean }): Promise<{ server: RunningServer; hub: StreamHub; wsUrl: string }>;
  close(): Promise<void>;
}

export async function startEngineInProcess(dataDir: string): Promise<EngineUnderTest> {
  const uiDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ocm-proto-ui-'));
  await fs.writeFile(path.join(uiDir, 'index.html'), '<!doctype html><title>t</title>');
  const pool = createIngestPool({ threads: 1 });
  const indexer = createIndexer({ dataDir, stateDir: null, env: {}, pool, logger: silentLogger });
  await indexer.start();
  const servers: { server: RunningServer; hub: StreamHub; unsubscribe: () => void }[] = [];
  const dbPath = path.join(dataDir, 'opencode.db');
  return {
    indexer,
    pool,
    async serve(ring, options) {
      const files = options?.files
        ? { snapshotFiles: { dir: path.join(uiDir, `files-${servers.length}`), toParquet: (ipc: Uint8Array) => pool.toParquet(ipc), logger: silentLogger, quietMs: 3_600_000 } }
        : {};
      const hub = createStreamHub({ snapshot: () => storeSnapshot(indexer.store, dataDir, false), ...(ring ? { ring } : {}), ...files });
      const unsubscribe = streamStoreChanges(indexer.store, hub);
      const server = await startServer({
        host: '127.0.0.1',
        port: 0,
        token: TEST_TOKEN,
        uiDir,
        logger: silentLogger,
        snapshot: async () => storeSnapshot(indexer.store, dataDir, false),
        stream: hub,
        resolveContent: createContentResolver({ databases: async () => [dbPath] }),
      });
      servers.push({ server, hub, unsubscribe });
      return { server, hub, wsUrl: `ws://127.0.0.1:${server.port}/ws` };
    },
    async close() {
      for (const { server, hub, unsubscribe } of servers) {
        unsubscribe();
        await server.close();
        await hub.close();
      }
      await indexer.close();
      await pool.close();
      await fs.rm(uiDir, { recursive: true, force: true });
    },
  };
}
