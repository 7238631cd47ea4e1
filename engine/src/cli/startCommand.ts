/**
 * `opencode-monitor start`: indexes OpenCode's storage (warm from the saved index when there is one), keeps
 * following it, serves the dashboard on loopback and prints its URL.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ENGINE_VERSION, resolvePaths, UI_DIST_DIR } from '../config/index.js';
import { formatProblem } from '../../../shared/src/index.js';
import { chooseStartData, demoNotice } from '../demo/index.js';
import { createIndexer, indexDirFor, rowsOf, watchStorage } from '../ingest/index.js';
import {
  createBridgeToken,
  createFindingAlerts,
  createJsonlActionLog,
  createLiveMonitor,
  handleBridgeRequest,
  removeBridgeFile,
  writeBridgeFile,
  type FindingRow,
} from '../live/index.js';
import { createIngestPool } from '../pipeline/index.js';
import { discoverSources } from '../sources/index.js';
import {
  closeRestContext,
  createContentResolver,
  createStreamHub,
  dropKeptFile,
  isLoopbackHost,
  keepCurrentFile,
  keptFilePaths,
  readKeptFile,
  snapshotFilesDir,
  loadOrCreateToken,
  startServer,
  streamLiveChanges,
  streamStoreChanges,
  type RestContext,
} from '../serve/index.js';
import type { CliIo } from './io.js';
import { createProgressBar } from './progress.js';
import { loadUserSecurityRules } from './securityRules.js';
import { storeSnapshot, storeTag } from './snapshot.js';

export interface StartOptions {
  readonly dataDir: string;
  readonly stateDir: string | null;
  readonly configDir: string;
  readonly host: string;
  readonly port: number;
  readonly allowRemote: boolean;
  /** Open the dashboard in the default browser once listening. */
  readonly open?: boolean;
  readonly uiDir?: string;
  /** Serve the generated demo data even when the data dir holds OpenCode data. */
  readonly demo?: boolean;
}

export const DEFAULT_PORT = 19876;

export async function startCommand(options: StartOptions, io: CliIo): Promise<number> {
  const { logger } = io;
  if (!isLoopbackHost(options.host) && !options.allowRemote) {
    logger.error(`config.invalid-argument: refusing to bind ${options.host}, which is not loopback; add --allow-remote if you really mean it`);
    return 2;
  }
  const uiDir = options.uiDir ?? UI_DIST_DIR;
  if (!fs.existsSync(path.join(uiDir, 'index.html'))) {
    logger.error(`the dashboard is not built (${uiDir}/index.html is missing); run: npm run build:ui`);
    return 2;
  }
  // No OpenCode data at all (or --demo): serve the generated demo from the state dir; the user's dir is only read.
  const chosen = await chooseStartData({ dataDir: options.dataDir, stateDir: options.stateDir ?? resolvePaths(io.env).stateDir, forceDemo: options.demo === true, env: io.env });
  if (!chosen.ok) {
    logger.error(formatProblem(chosen.problem));
    return 1;
  }
  const { demo, dataDir } = chosen.value;
  if (demo) io.stdout(demoNotice(options.dataDir, options.demo === true));
  // The demo is indexed alone: an OPENCODE_DB override names the user's database, not the demo's.
  const indexEnv = demo ? { ...io.env, OPENCODE_DB: undefined } : io.env;
  const token = await loadOrCreateToken(options.configDir);
  const rules = loadUserSecurityRules(options.configDir, logger);
  const pool = createIngestPool({ securityRulesFile: rules.file });
  const bar = createProgressBar();
  const indexer = createIndexer({
    dataDir,
    stateDir: options.stateDir,
    env: indexEnv,
    pool,
    logger,
    sequenceRules: rules.sequences,
    onProgress: (p) => p.phase === 'records' && bar.update(p.done, p.total, 'Indexing'),
  });
  // The DuckDB file the last run kept, read before the saved index is loaded (keptSnapshotFile.ts).
  const keptPaths = options.stateDir ? keptFilePaths(indexDirFor(options.stateDir, dataDir)) : undefined;
  const kept = keptPaths ? readKeptFile(keptPaths) : undefined;
  const report = await indexer.start();
  bar.finish();
  logger.info(`Indexed ${dataDir} in ${(report.elapsedMs / 1000).toFixed(1)} s (${report.mode === 'warm' ? 'from the saved index' : 'full read'})`);
  // Every store change from here on is a seq'd delta; the snapshot is taken synchronously between two of them.
  // New pages attach a DuckDB file of the tables, kept in the state dir (several times faster to queryable than
  // inserting the Arrow snapshot; docs/benchmarks.md); until the first is written they load the Arrow snapshot.
  // The last run's file serves from the start when this run starts warm from the index it was kept with: the
  // tables are then exactly the ones it holds, and the hub follows the store from here on, so what the first
  // refresh finds reaches those pages as deltas after the file.
  const stateDir = options.stateDir ?? resolvePaths(io.env).stateDir;
  const streamFilesParent = path.join(stateDir, 'stream');
  const adopt = kept && report.mode === 'warm' ? kept : undefined;
  const stream = createStreamHub({
    snapshot: () => storeSnapshot(indexer.store, dataDir, demo),
    snapshotFiles: {
      dir: snapshotFilesDir(streamFilesParent),
      toParquet: (ipc) => pool.toParquet(ipc),
      logger,
      ...(adopt ? { initial: { ...adopt, tag: storeTag(indexer.store) } } : {}),
    },
  });
  const stopStreaming = streamStoreChanges(indexer.store, stream);
  if (keptPaths) dropKeptFile(keptPaths); // adopted (moved into the run's folder) or stale: either way not kept now
  // `sources` describes the files themselves (size and mtime with the -wal, which every run's reading touches), so
  // the kept file's copy is not trusted: pages get the store's, whole, right after the file.
  if (adopt) stream.publishStoreChange({ kind: 'replace', table: 'sources', chunks: indexer.store.snapshot('sources') });
  if (!adopt) stream.snapshotFiles?.changed(); // the first file, once the tables are quiet
  // What changed since the saved index lands now; the derived tables follow in the background (a first derive is
  // seconds on a large history) and reach connected clients as deltas, so the URL is not held back for them.
  if (report.mode === 'warm') await indexer.refresh({ derive: 'soon' });
  const watcher = watchStorage({ dataDir, logger, onChange: (fullScan) => void indexer.refresh({ fullScan, derive: 'soon' }).catch((e: Error) => logger.warn(`refresh: ${e.message}`)) });
  await watcher.ready;
  const databases = async () => (await discoverSources(dataDir, indexEnv)).filter((s) => s.kind === 'sqlite').map((s) => s.path);

  // Live: every running OpenCode, its permissions scored by the same rules as the audit. It watches the user's
  // data dir even on demo data, so an OpenCode started later still shows up live.
  const monitor = createLiveMonitor({
    dataDir: options.dataDir,
    env: io.env,
    scorer: rules.scorer,
    logger,
    actionLog: createJsonlActionLog(path.join(stateDir, 'actions.jsonl')),
  });
  await monitor.start();
  const stopLiveStream = streamLiveChanges(monitor.hub, stream);
  // A kill chain found in what an agent just did is news for the tray and the dashboard.
  const findingAlerts = createFindingAlerts();
  const readFindings = () => rowsOf<FindingRow>(indexer.store.snapshot('security_findings'));
  findingAlerts.next(readFindings());
  const stopFindingAlerts = indexer.onChange((tables) => {
    if (!tables.includes('security_findings')) return;
    const notifications = findingAlerts.next(readFindings());
    if (notifications.length > 0) monitor.hub.publish({ diffs: [], notifications });
  });
  const rest: RestContext = {
    tableChunks: (name) => indexer.store.snapshot(name),
    rowCount: (name) => indexer.store.rowCount(name),
    live: () => monitor.hub.state(),
    info: () => ({ engineVersion: ENGINE_VERSION, demo, dataDir }),
    stream: () => {
      const file = stream.snapshotFiles?.offer();
      return { seq: stream.ring.seq, snapshotFile: file ? { seq: file.seq, bytes: file.bytes } : null };
    },
    logger,
    actions: {
      replyPermission: ({ instanceId, permission, reply, message }) =>
        monitor.replyPermission(instanceId, {
          requestId: permission.id,
          sessionId: permission.sessionId,
          reply,
          ...(message !== undefined ? { message } : {}),
          ...(permission.directory !== undefined ? { directory: permission.directory } : {}),
        }),
      replyQuestion: ({ instanceId, question, answers }) =>
        monitor.replyQuestion(instanceId, {
          requestId: question.id,
          sessionId: question.sessionId,
          answers: answers.map((a) => [...a]),
          ...(question.directory !== undefined ? { directory: question.directory } : {}),
        }),
      rejectQuestion: ({ instanceId, question }) =>
        monitor.rejectQuestion(instanceId, { requestId: question.id, sessionId: question.sessionId, ...(question.directory !== undefined ? { directory: question.directory } : {}) }),
    },
  };
  const bridgeToken = createBridgeToken();
  const server = await startServer({
    host: options.host,
    port: options.port,
    token,
    uiDir,
    logger,
    snapshot: async () => storeSnapshot(indexer.store, dataDir, demo),
    stream,
    resolveContent: createContentResolver({ databases }),
    rest,
    bridge: (req, res) => handleBridgeRequest(req, res, { token: bridgeToken, ingest: (batch) => monitor.ingestBridge(batch), logger }),
  });
  // Plain TUIs with the plugin find this engine (port and bridge token) in the state dir.
  const bridgeFile = await writeBridgeFile(stateDir, { port: server.port, token: bridgeToken });
  if (!bridgeFile.ok) logger.warn(`the OpenCode plugin cannot reach this engine: ${bridgeFile.problem.message}`);
  if (!isLoopbackHost(options.host)) logger.warn(`listening on ${options.host}: anyone who can reach it and has the token can read your agents' data`);
  io.stdout(`Dashboard: ${server.url}\n`);
  io.onReady?.({ url: server.url, port: server.port });
  if (options.open) openInBrowser(server.url, io);
  const signal = await io.stopSignal;
  logger.info(`${signal}: shutting down`);
  await removeBridgeFile(stateDir, bridgeToken);
  await server.close();
  stopFindingAlerts();
  stopLiveStream();
  await monitor.stop();
  await closeRestContext(rest);
  stopStreaming();
  await watcher.close();
  await indexer.close();
  // After the final save: the file is kept for the next run if no table changed since it was written.
  if (keptPaths && stream.snapshotFiles) keepCurrentFile(stream.snapshotFiles, keptPaths, stream.snapshotFiles.current?.tag === storeTag(indexer.store));
  await stream.close();
  await pool.close();
  return 0;
}

/** Best effort: a machine without a desktop keeps working, it just says so. */
function openInBrowser(url: string, io: CliIo): void {
  const [command, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  const child = spawn(command, args as string[], { detached: true, stdio: 'ignore' });
  child.on('error', (error) => io.logger.warn(`--open: could not start ${command} (${error.message}); open the URL above yourself`));
  child.unref();
}
