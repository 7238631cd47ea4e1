/**
 * Installs the bridge plugin into OpenCode's global plugin folder and removes it again. OpenCode 1.18.33 loads
 * `{plugin,plugins}/*.{ts,js}` from its config dir (seen in the binary's loader; opencode.md §2 and §8.3 use
 * `plugins/`), so the plugin goes to `<configDir>/plugins/opencode-monitor.js`. The first line of the file is a
 * marker: a file at that path without it belongs to the user and is never overwritten (unless forced) or removed.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fail, ok } from '../../../../shared/src/index.js';
import type { Result } from '../../../../shared/src/index.js';
import { writeFileAtomic } from '../../persist/index.js';
import { errnoOf, ioProblem } from './fsProblems.js';

export const PLUGIN_FILE_NAME = 'opencode-monitor.js';
/** The marker every copy we ship starts with; the rest of the line names the bridge version. */
export const PLUGIN_MARKER = '// opencode-monitor-plugin:';
/** Folders OpenCode scans; we install into the first and clean up ours from both. */
const PLUGIN_DIRS = ['plugins', 'plugin'] as const;
const ASSET_PATH = fileURLToPath(new URL('./asset/opencode-monitor.js', import.meta.url));

export interface PluginLocationOptions {
  /** OpenCode's config dir. @default `$XDG_CONFIG_HOME/opencode` (else `~/.config/opencode`) */
  configDir?: string;
  /** Environment to resolve the default from. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface InstallOptions extends PluginLocationOptions {
  /** Overwrite a file at the plugin path even if it is not ours. @default false */
  force?: boolean;
}

export interface InstallOutcome {
  readonly path: string;
  readonly action: 'installed' | 'updated' | 'unchanged';
}

export interface UninstallOutcome {
  /** The file removed, or where the plugin would be. */
  readonly path: string;
  readonly action: 'removed' | 'not-installed';
  /** A file of someone else's sits at the plugin path; it was left alone. */
  readonly foreignFileKept: boolean;
}

/** OpenCode's global config dir, as OpenCode resolves it (xdg-basedir on every platform). */
export function openCodeConfigDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  // The XDG spec says relative values are invalid and must be ignored.
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'opencode');
}

export function pluginInstallPath(opts: PluginLocationOptions = {}): string {
  return path.join(opts.configDir ?? openCodeConfigDir(opts.env), PLUGIN_DIRS[0], PLUGIN_FILE_NAME);
}

export const isOurPlugin = (text: string): boolean => text.startsWith(PLUGIN_MARKER);

type Existing = { kind: 'none' } | { kind: 'ours'; text: string } | { kind: 'foreign' };

/** What sits at `file`. A symlink or directory is never ours: we only ever write regular files. */
async function inspect(file: string): Promise<Existing> {
  let stat;
  try {
    stat = await fs.lstat(file);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return { kind: 'none' };
    throw error;
  }
  if (!stat.isFile()) return { kind: 'foreign' };
  const text = await fs.readFile(file, 'utf8');
  return isOurPlugin(text) ? { kind: 'ours', text } : { kind: 'foreign' };
}

/** Copies the shipped plugin into OpenCode's plugin folder; idempotent. */
export async function installPlugin(opts: InstallOptions = {}): Promise<Result<InstallOutcome>> {
  const target = pluginInstallPath(opts);
  let asset: string;
  try {
    asset = await fs.readFile(ASSET_PATH, 'utf8');
  } catch (error) {
    return fail(ioProblem(error, 'read the shipped plugin', ASSET_PATH));
  }
  try {
    const existing = await inspect(target);
    if (existing.kind === 'foreign' && !opts.force) {
      return fail({
        code: 'config.invalid-argument',
        message: `${target} exists and was not installed by opencode-monitor; left alone (use --force to replace it)`,
        source: target,
      });
    }
    if (existing.kind === 'ours' && existing.text === asset && !opts.force) return ok({ path: target, action: 'unchanged' });
    await fs.mkdir(path.dirname(target), { recursive: true });
    await writeFileAtomic(target, asset, 0o644);
    return ok({ path: target, action: existing.kind === 'none' ? 'installed' : 'updated' });
  } catch (error) {
    return fail(ioProblem(error, 'install the OpenCode plugin', target));
  }
}

/** Removes our plugin from OpenCode's plugin folders; any other file is left untouched. */
export async function uninstallPlugin(opts: PluginLocationOptions = {}): Promise<Result<UninstallOutcome>> {
  const configDir = opts.configDir ?? openCodeConfigDir(opts.env);
  const primary = pluginInstallPath({ configDir });
  let removed: string | undefined;
  let foreignFileKept = false;
  for (const dir of PLUGIN_DIRS) {
    const file = path.join(configDir, dir, PLUGIN_FILE_NAME);
    try {
      const existing = await inspect(file);
      if (existing.kind === 'foreign') foreignFileKept = true;
      if (existing.kind !== 'ours') continue;
      await fs.rm(file);
      removed ??= file;
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') continue;
      return fail(ioProblem(error, 'remove the OpenCode plugin', file));
    }
  }
  return ok({ path: removed ?? primary, action: removed ? 'removed' : 'not-installed', foreignFileKept });
}
