/**
 * The vocabulary of discovery, shared by the per-platform scanners, the health prober and the poller.
 * `DiscoveredInstance` is what leaves the engine; it never holds a secret (credentials travel separately).
 */
import type { Problem } from '../../../../shared/src/index.js';

export type DiscoveryPlatform = 'linux' | 'darwin' | 'win32';

/** One TCP socket in LISTEN state. `address` is as the OS reports it, normalised ('0.0.0.0', '::', '::1', …). */
export interface ListenSocket {
  readonly address: string;
  readonly port: number;
}

/**
 * A process as the OS shows it, with whatever each platform lets us read. Only the fields a platform cannot
 * provide are missing (Windows has no argv or cwd through tasklist; environ is Linux-only).
 */
export interface ProcessInfo {
  readonly pid: number;
  readonly ppid?: number;
  /** Short name: Linux comm, macOS lsof COMMAND, Windows image name. */
  readonly name: string;
  /** Resolved executable path (Linux /proc/<pid>/exe). */
  readonly exe?: string;
  /** Command line split into arguments (lossy on macOS, where ps joins them with spaces). */
  readonly argv: readonly string[];
  readonly cwd?: string;
  /** Environment, only where the OS lets us read it and the caller asked for it. May hold secrets: never log it. */
  readonly env?: Readonly<Record<string, string>>;
  readonly listening: readonly ListenSocket[];
}

/** Light facts known before the expensive reads, used to pick which processes deserve them. */
export interface ProcessIdentity {
  readonly name: string;
  readonly exe?: string;
  readonly argv: readonly string[];
}

export interface ProcessScan {
  readonly processes: readonly ProcessInfo[];
  /** Processes skipped because they vanished mid-scan or could not be read (EACCES): counted, not reported. */
  readonly skipped: { readonly vanished: number; readonly unreadable: number };
  /** Problems that affect the whole scan or a selected process (e.g. an unreadable socket table). */
  readonly problems: readonly Problem[];
}

export interface ScanOptions {
  /** Only these processes get their cwd, environment and sockets read. @default every process */
  readonly select?: (identity: ProcessIdentity) => boolean;
  /** Read process environments (Linux). Off means password-protected servers rely on config credentials. @default true */
  readonly readEnvironment?: boolean;
}

export type OpencodeMode = 'serve' | 'web' | 'acp' | 'run' | 'attach' | 'tui' | 'other' | 'unknown';

export type InstanceAuth = 'none' | 'basic' | 'locked';

/** A confirmed OpenCode server. Plain data: safe to serialise, log and send to clients. */
export interface DiscoveredInstance {
  /** Stable identity: the URL. */
  readonly id: string;
  readonly url: string;
  readonly pid?: number;
  readonly port: number;
  readonly mode: OpencodeMode;
  readonly cwd?: string;
  readonly version?: string;
  readonly auth: InstanceAuth;
  readonly source: 'process' | 'config';
  readonly lastSeenMs: number;
}

/** An OpenCode process, with or without a port (a plain TUI has none): input for liveness checks elsewhere. */
export interface OpencodeProcess {
  readonly pid: number;
  readonly mode: OpencodeMode;
  readonly cwd?: string;
  readonly ports: readonly number[];
}

/** An instance the user lists by URL in the monitor's config. */
export interface ConfiguredInstance {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
}
