/**
 * XDG locations, resolved once from the environment. OpenCode itself uses xdg-basedir on every platform
 * (also macOS and Windows), so the monitor does the same to find its data.
 */
import os from 'node:os';
import path from 'node:path';

export interface MonitorPaths {
  /** OpenCode's data directory: `$XDG_DATA_HOME/opencode`. Holds opencode*.db and the legacy storage/ tree. */
  readonly openCodeDataDir: string;
  /** The monitor's own persisted tables: `$XDG_STATE_HOME/opencode-monitor`. */
  readonly stateDir: string;
  /** The monitor's config and access token: `$XDG_CONFIG_HOME/opencode-monitor`. */
  readonly configDir: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function xdg(env: Env, name: string, fallback: string[]): string {
  const value = env[name];
  // The XDG spec says relative values are invalid and must be ignored.
  if (value && path.isAbsolute(value)) return value;
  return path.join(env.HOME || os.homedir(), ...fallback);
}

export function resolvePaths(env: Env = process.env): MonitorPaths {
  return {
    openCodeDataDir: path.join(xdg(env, 'XDG_DATA_HOME', ['.local', 'share']), 'opencode'),
    stateDir: path.join(xdg(env, 'XDG_STATE_HOME', ['.local', 'state']), 'opencode-monitor'),
    configDir: path.join(xdg(env, 'XDG_CONFIG_HOME', ['.config']), 'opencode-monitor'),
  };
}
