/**
 * One discovery round: scan for OpenCode processes, turn each listening port (and each URL from the config)
 * into a candidate, confirm candidates with bounded concurrent health probes, and return plain instances plus,
 * separately, the credentials that opened the password-protected ones.
 */
import type { Problem } from '../../../../shared/src/index.js';
import { mapWithConcurrency } from './concurrency.js';
import { BasicCredentials, credentialsFromEnvironment, uniqueCredentials } from './credentials.js';
import { probeHealth } from './health.js';
import type { HealthOutcome } from './health.js';
import { isOpencodeProcess, modeOf } from './identify.js';
import { listListeningProcesses, loopbackHostFor } from './scan/index.js';
import type { ConfiguredInstance, DiscoveredInstance, OpencodeMode, OpencodeProcess, ProcessInfo, ProcessScan, ScanOptions } from './types.js';

export interface DiscoveryOptions {
  /** @default process.platform */
  readonly platform?: string;
  /** Replaces the platform scanner (tests). Receives the selection and environment settings. */
  readonly scan?: (opts: ScanOptions) => Promise<ProcessScan>;
  /** Instances listed by URL in the monitor's config. */
  readonly configured?: readonly ConfiguredInstance[];
  /** Extra Basic credentials tried on any password-protected instance, after the process's own. */
  readonly credentials?: ReadonlyArray<{ readonly username?: string; readonly password: string }>;
  /** Read OPENCODE_SERVER_PASSWORD from process environments where the OS allows. @default true */
  readonly readEnvironment?: boolean;
  /** @default 1000 */
  readonly probeTimeoutMs?: number;
  /** @default 4 */
  readonly maxConcurrentProbes?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

/** A candidate that exists (its process listens, or the config names it) but did not confirm this round. */
export interface UnconfirmedCandidate {
  readonly id: string;
  readonly pid?: number;
  readonly source: 'process' | 'config';
  readonly reason: string;
}

export interface DiscoveryRound {
  readonly instances: readonly DiscoveredInstance[];
  /** By instance id. Kept apart from `instances` so that serialising them can never leak a password. */
  readonly credentials: ReadonlyMap<string, BasicCredentials>;
  /** Every OpenCode process seen, with or without ports (plain TUIs have none). */
  readonly processes: readonly OpencodeProcess[];
  readonly unconfirmed: readonly UnconfirmedCandidate[];
  readonly skipped: ProcessScan['skipped'];
  readonly problems: readonly Problem[];
}

interface Candidate {
  readonly url: string;
  readonly port: number;
  readonly source: 'process' | 'config';
  readonly process?: { readonly pid: number; readonly mode: OpencodeMode; readonly cwd?: string };
  readonly credentials: BasicCredentials[];
}

/** One candidate per (pid, port): a server bound to both 127.0.0.1 and ::1 is one server. IPv4 preferred. */
function processCandidates(p: ProcessInfo): Candidate[] {
  const byPort = new Map<number, string>();
  for (const s of p.listening) {
    const host = loopbackHostFor(s.address);
    if (host === undefined) continue; // not reachable through loopback: we only ever call 127.0.0.1 / ::1
    if (!byPort.has(s.port) || host === '127.0.0.1') byPort.set(s.port, host);
  }
  const mode = modeOf(p);
  const envCredentials = credentialsFromEnvironment(p.env);
  return [...byPort].map(([port, host]) => ({
    url: `http://${host}:${port}`,
    port,
    source: 'process' as const,
    process: { pid: p.pid, mode, ...(p.cwd !== undefined ? { cwd: p.cwd } : {}) },
    credentials: envCredentials ? [envCredentials] : [],
  }));
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Normalised URL (no trailing slash) and port of a configured instance, or undefined if it is not a URL. */
function parseConfiguredUrl(raw: string): { url: string; port: number; loopback: boolean } | undefined {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  const url = `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
  return { url, port, loopback: LOOPBACK_NAMES.has(u.hostname) };
}

/**
 * Config entries that name a port an OpenCode process already listens on on loopback add their credentials to
 * that candidate instead of probing it twice; the others become candidates of their own.
 */
function mergeConfigured(candidates: Candidate[], configured: readonly ConfiguredInstance[]): Candidate[] {
  const merged = [...candidates];
  for (const entry of configured) {
    const parsed = parseConfiguredUrl(entry.url);
    if (!parsed) continue;
    const credentials = entry.password ? [new BasicCredentials(entry.username, entry.password)] : [];
    const same = merged.find((c) => c.url === parsed.url || (parsed.loopback && c.source === 'process' && c.port === parsed.port));
    if (same) same.credentials.push(...credentials);
    else merged.push({ url: parsed.url, port: parsed.port, source: 'config', credentials });
  }
  return merged;
}

function toInstance(c: Candidate, outcome: HealthOutcome & { kind: 'healthy' | 'locked' }, now: number): DiscoveredInstance {
  return {
    id: c.url,
    url: c.url,
    ...(c.process ? { pid: c.process.pid } : {}),
    port: c.port,
    mode: c.process?.mode ?? 'unknown',
    ...(c.process?.cwd !== undefined ? { cwd: c.process.cwd } : {}),
    ...(outcome.kind === 'healthy' && outcome.version !== undefined ? { version: outcome.version } : {}),
    auth: outcome.kind === 'locked' ? 'locked' : outcome.credentials ? 'basic' : 'none',
    source: c.source,
    lastSeenMs: now,
  };
}

export async function discoverInstances(opts: DiscoveryOptions = {}): Promise<DiscoveryRound> {
  const now = opts.now ?? Date.now;
  const scanOptions: ScanOptions = { select: isOpencodeProcess, readEnvironment: opts.readEnvironment ?? true };
  const scan = await (opts.scan ? opts.scan(scanOptions) : listListeningProcesses(opts.platform ?? process.platform, scanOptions));
  // The injected scanner may ignore `select`; identify again so only OpenCode processes become candidates.
  const opencode = scan.processes.filter(isOpencodeProcess);
  const sharedCredentials = (opts.credentials ?? []).map((c) => new BasicCredentials(c.username, c.password));
  const candidates = mergeConfigured(opencode.flatMap(processCandidates), opts.configured ?? []);

  const outcomes = await mapWithConcurrency(candidates, opts.maxConcurrentProbes ?? 4, (c) =>
    probeHealth(c.url, uniqueCredentials([...c.credentials, ...sharedCredentials]), {
      timeoutMs: opts.probeTimeoutMs ?? 1_000,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    }),
  );

  const instances: DiscoveredInstance[] = [];
  const credentials = new Map<string, BasicCredentials>();
  const unconfirmed: UnconfirmedCandidate[] = [];
  candidates.forEach((c, i) => {
    const outcome = outcomes[i] as HealthOutcome;
    if (outcome.kind === 'healthy' || outcome.kind === 'locked') {
      instances.push(toInstance(c, outcome, now()));
      if (outcome.kind === 'healthy' && outcome.credentials) credentials.set(c.url, outcome.credentials);
    } else {
      unconfirmed.push({ id: c.url, ...(c.process ? { pid: c.process.pid } : {}), source: c.source, reason: outcome.reason });
    }
  });

  const processes: OpencodeProcess[] = opencode.map((p) => ({
    pid: p.pid,
    mode: modeOf(p),
    ...(p.cwd !== undefined ? { cwd: p.cwd } : {}),
    ports: [...new Set(p.listening.map((s) => s.port))],
  }));
  return { instances, credentials, processes, unconfirmed, skipped: scan.skipped, problems: scan.problems };
}
