/**
 * `opencode-monitor plugin install [--force] [--json]` / `plugin uninstall [--json]`: puts the bridge plugin into
 * OpenCode's global plugin folder (or removes it), so plain TUIs report their exact live state to the engine.
 */
import { formatProblem } from '../../../shared/src/index.js';
import { installPlugin, uninstallPlugin } from '../live/index.js';
import type { CliIo } from './io.js';

export interface PluginOptions {
  readonly action: string;
  readonly force: boolean;
  readonly json: boolean;
}

export async function pluginCommand(options: PluginOptions, io: CliIo): Promise<number> {
  if (options.action !== 'install' && options.action !== 'uninstall') {
    io.logger.error(`config.invalid-argument: plugin takes "install" or "uninstall", got "${options.action}"`);
    return 2;
  }
  const result = options.action === 'install' ? await installPlugin({ env: io.env, force: options.force }) : await uninstallPlugin({ env: io.env });
  if (!result.ok) {
    io.logger.error(formatProblem(result.problem));
    return 1;
  }
  const { path, action } = result.value;
  if (options.json) io.stdout(`${JSON.stringify(result.value)}\n`);
  else {
    const said: Record<string, string> = {
      installed: `Installed the OpenCode plugin at ${path}. OpenCode sessions started from now on report to the monitor.`,
      updated: `Updated the OpenCode plugin at ${path}.`,
      unchanged: `The OpenCode plugin at ${path} is already up to date.`,
      removed: `Removed the OpenCode plugin from ${path}.`,
      'not-installed': `The OpenCode plugin is not installed (looked at ${path}).`,
    };
    io.stdout(`${said[action] ?? `${action}: ${path}`}\n`);
    if ('foreignFileKept' in result.value && result.value.foreignFileKept) io.stdout(`A file there that opencode-monitor did not install was left alone.\n`);
  }
  return 0;
}
