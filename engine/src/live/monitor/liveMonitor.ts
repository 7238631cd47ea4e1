/**
 * The live monitor: discovery finds instances, a follower per instance keeps its exact state, plain TUIs come
 * from the plugin bridge or, without it, from the database; permissions are scored by the security module; all
 * of it lands in one live state (the hub) that the tray, the dashboard and `status` read. Replies to permissions
 * and questions go through the owning instance's API and into the action log.
 */
import os from 'node:os';
import { fail, formatProblem, type LiveRisk, type Result } from '../../../../shared/src/index.js';
import type { Logger } from '../../log.js';
import { redact, scorePermission, type Scorer } from '../../security/index.js';
import { discoverSources } from '../../sources/index.js';
import { createDiscoveryPoller, type ConfiguredInstance, type DiscoveryPollerOptions, type OpencodeProcess } from '../discovery/index.js';
import { followInstance, rejectQuestion, replyPermission, replyQuestion, type ActionLog, type FollowTarget, type InstanceFollower } from '../follow/index.js';
import type { PermissionReply, QuestionReject, QuestionReply } from '../follow/index.js';
import { followDatabase, processAliveForDirectory, type DatabaseFollower } from '../inferred/index.js';
import type { BridgeBatch } from '../plugin/index.js';
import { addInstance, applyEvent, removeInstance, type PermissionToScore, type ReducerOptions } from '../state/index.js';
import { inferredInstanceChange } from './inferredInstance.js';
import { createLiveHub, type LiveChange, type LiveHub } from './liveHub.js';

export interface LiveMonitorOptions {
  /** OpenCode's data dir: its databases are watched for plain TUIs that no API or plugin reports. */
  readonly dataDir: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly scorer: Scorer;
  readonly logger: Logger;
  readonly actionLog?: ActionLog;
  readonly configured?: readonly ConfiguredInstance[];
  /** Discovery polling interval. @default 2000 */
  readonly intervalMs?: number;
  /** Database inference polling interval. @default 250 */
  readonly dbIntervalMs?: number;
  /** Replaces process discovery (tests). */
  readonly discover?: DiscoveryPollerOptions['discover'];
  readonly now?: () => number;
}

export interface LiveMonitor {
  readonly hub: LiveHub;
  start(): Promise<void>;
  /** Events a plugin posted for a plain TUI (`plugin:<pid>` instance). */
  ingestBridge(batch: BridgeBatch): void;
  replyPermission(instanceId: string, reply: PermissionReply): Promise<Result<true>>;
  replyQuestion(instanceId: string, reply: QuestionReply): Promise<Result<true>>;
  rejectQuestion(instanceId: string, reply: QuestionReject): Promise<Result<true>>;
  /** Runs one discovery round now (tests, `status`). */
  pollNow(): Promise<void>;
  stop(): Promise<void>;
}

const pluginInstanceId = (pid: number) => `plugin:${pid}`;

export function createLiveMonitor(options: LiveMonitorOptions): LiveMonitor {
  const { logger } = options;
  const now = options.now ?? Date.now;
  const home = os.homedir();
  const hub = createLiveHub();
  const followers = new Map<string, { follower: InstanceFollower; target: FollowTarget }>();
  const databases = new Map<string, DatabaseFollower>();
  let processes: readonly OpencodeProcess[] = [];
  let stopped = false;

  const riskOf = (p: PermissionToScore): LiveRisk | undefined => {
    const risk = scorePermission(options.scorer, { permission: p.permission, patterns: p.patterns, metadata: p.metadata, ...(p.directory ? { directory: p.directory } : {}) }, home);
    return risk ? { score: risk.score, level: risk.level, reasons: risk.reasons } : undefined;
  };
  const redactText = (text: string) => redact(text) ?? '';
  const reducerOptions = (): ReducerOptions => ({ nowMs: now(), redact: redactText, scorePermission: riskOf });
  const publish = (change: LiveChange) => hub.publish(change);

  const follow = (id: string, url: string, authorization: string | undefined) => {
    const target: FollowTarget = { id, url, ...(authorization ? { headers: { authorization } } : {}) };
    const follower = followInstance(target, { onUpdate: publish, redact: redactText, scorePermission: riskOf, now });
    followers.set(id, { follower, target });
  };
  const unfollow = async (id: string) => {
    const entry = followers.get(id);
    followers.delete(id);
    await entry?.follower.stop();
    publish(removeInstance(hub.state(), id));
  };

  const poller = createDiscoveryPoller({
    intervalMs: options.intervalMs ?? 2000,
    ...(options.configured ? { configured: options.configured } : {}),
    ...(options.discover ? { discover: options.discover } : {}),
    onRound: (round) => {
      processes = round.processes;
      // A database created since (the first run of OpenCode on this machine) is followed from the next round.
      void watchDatabases().catch((error: Error) => logger.debug(`live: listing databases failed: ${error.message}`));
      // A plugin instance lives as long as its process does.
      const alive = new Set(processes.map((p) => pluginInstanceId(p.pid)));
      for (const id of Object.keys(hub.state().instances)) if (id.startsWith('plugin:') && !alive.has(id)) publish(removeInstance(hub.state(), id));
      for (const problem of round.problems) logger.debug(formatProblem(problem));
    },
    onChange: (change) => {
      for (const gone of change.removed) void unfollow(gone.id);
      for (const changed of change.changed) {
        if (followers.has(changed.id) && changed.auth !== 'locked') continue;
        void unfollow(changed.id);
      }
      for (const found of [...change.added, ...change.changed]) {
        if (stopped || followers.has(found.id)) continue;
        if (found.auth === 'locked') {
          publish(addInstance(hub.state(), { id: found.id, url: found.url }));
          logger.warn(`${found.url}: password-protected and no password works; set OPENCODE_SERVER_PASSWORD for the monitor`);
          continue;
        }
        follow(found.id, found.url, poller.credentialsFor(found.id)?.authorization());
      }
    },
    onError: (error) => logger.error(`internal.bug: discovery round failed: ${(error as Error).message}`),
  });

  const watchDatabases = async () => {
    for (const location of await discoverSources(options.dataDir, options.env ?? {})) {
      if (stopped || location.kind !== 'sqlite' || databases.has(location.path)) continue;
      const dbPath = location.path;
      databases.set(
        dbPath,
        followDatabase(dbPath, {
          intervalMs: options.dbIntervalMs ?? 250,
          processAlive: (directory) => processAliveForDirectory(processes)(directory),
          onChange: (inferred) => publish(inferredInstanceChange(hub.state(), dbPath, inferred, now())),
          onProblem: (problem) => logger.debug(formatProblem(problem)),
        }),
      );
    }
  };

  const targetOf = (instanceId: string): Result<FollowTarget> => {
    const entry = followers.get(instanceId);
    if (entry) return { ok: true, value: entry.target };
    return fail({
      code: 'config.invalid-argument',
      message: instanceId.startsWith('plugin:') || instanceId.startsWith('db:')
        ? `${instanceId} is a terminal session without an API: answer it in its terminal`
        : `no followed instance ${instanceId}`,
    });
  };
  const actionOptions = () => ({ ...(options.actionLog ? { log: options.actionLog } : {}), onProblem: (p: Parameters<typeof formatProblem>[0]) => logger.warn(formatProblem(p)) });

  return {
    hub,
    async start() {
      await watchDatabases();
      poller.start();
      await poller.pollNow();
    },
    ingestBridge(batch) {
      const id = pluginInstanceId(batch.pid);
      publish(addInstance(hub.state(), { id, url: `plugin://${batch.pid}` }));
      for (const event of batch.events) publish(applyEvent(hub.state(), id, event, reducerOptions()));
    },
    async replyPermission(instanceId, reply) {
      const target = targetOf(instanceId);
      return target.ok ? replyPermission(target.value, reply, actionOptions()) : target;
    },
    async replyQuestion(instanceId, reply) {
      const target = targetOf(instanceId);
      return target.ok ? replyQuestion(target.value, reply, actionOptions()) : target;
    },
    async rejectQuestion(instanceId, reply) {
      const target = targetOf(instanceId);
      return target.ok ? rejectQuestion(target.value, reply, actionOptions()) : target;
    },
    pollNow: () => poller.pollNow(),
    async stop() {
      stopped = true;
      await poller.stop();
      for (const db of databases.values()) db.stop();
      databases.clear();
      await Promise.all([...followers.values()].map((f) => f.follower.stop()));
      followers.clear();
    },
  };
}
