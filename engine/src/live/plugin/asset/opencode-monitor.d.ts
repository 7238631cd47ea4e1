/**
 * Types for the plain-JavaScript plugin OpenCode loads (opencode-monitor.js), so the monitor's tests can drive
 * its internals. Only the .js file is installed.
 */

export interface WireEvent {
  type: string;
  properties: Record<string, unknown>;
}

export interface BridgeStats {
  queued: number;
  coalesced: number;
  sent: number;
  dropped: number;
  filtered: number;
  errors: number;
  unauthorized: number;
  refreshes: number;
}

export interface FetchLikeResponse {
  status: number;
  ok: boolean;
}

export interface BridgeDeps {
  env: Record<string, string | undefined>;
  pid: number;
  directory: string;
  fetch: (url: string, init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal }) => Promise<FetchLikeResponse>;
  now: () => number;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (handle: unknown) => void;
  readText: (path: string) => Promise<string>;
}

export interface Bridge {
  push(event: unknown): void;
  flush(): Promise<void>;
  dispose(waitMs?: number): Promise<void>;
  whenIdle(): Promise<void>;
  readonly stats: BridgeStats;
  pending(): number;
}

export interface BridgeInternals {
  WIRE_VERSION: number;
  MAX_QUEUE: number;
  MAX_BATCH: number;
  FLUSH_DELAY_MS: number;
  REREAD_INTERVAL_MS: number;
  FORWARDED: ReadonlySet<string>;
  bridgeFilePath(env: Record<string, string | undefined>): string;
  parseEndpoint(raw: unknown): { url: string; token: string } | undefined;
  trimValue(value: unknown, depth?: number, maxString?: number): unknown;
  toWireEvent(event: unknown): WireEvent | undefined;
  createBridge(deps: BridgeDeps): Bridge;
}

export interface PluginHooks {
  event?: (input: { event: unknown }) => Promise<void>;
  dispose?: () => Promise<void>;
}

export declare const OpencodeMonitorBridge: ((ctx: unknown) => Promise<PluginHooks>) & { internals: BridgeInternals };
