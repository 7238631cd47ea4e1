/**
 * Discovery: finds every running OpenCode (processes and their ports on Linux, macOS and Windows, plus URLs
 * from the config), confirms each with /global/health, and polls for changes.
 */
export { createDiscoveryPoller } from './poller.js';
export type { DiscoveryChange, DiscoveryPoller, DiscoveryPollerOptions, PollerTimers } from './poller.js';
export { discoverInstances } from './discover.js';
export type { DiscoveryOptions, DiscoveryRound, UnconfirmedCandidate } from './discover.js';
export { listListeningProcesses, isDiscoveryPlatform, createExecRunner } from './scan/index.js';
export type { ListProcessesOptions, CommandRunner } from './scan/index.js';
export { isOpencodeProcess, modeOf, opencodeMode } from './identify.js';
export { probeHealth } from './health.js';
export type { HealthOutcome, ProbeOptions } from './health.js';
export { BasicCredentials, DEFAULT_USERNAME, credentialsFromEnvironment } from './credentials.js';
export type {
  ConfiguredInstance,
  DiscoveredInstance,
  DiscoveryPlatform,
  InstanceAuth,
  ListenSocket,
  OpencodeMode,
  OpencodeProcess,
  ProcessIdentity,
  ProcessInfo,
  ProcessScan,
  ScanOptions,
} from './types.js';
