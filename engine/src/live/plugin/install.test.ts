import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PLUGIN_MARKER, installPlugin, isOurPlugin, openCodeConfigDir, pluginInstallPath, uninstallPlugin } from './install.js';

const ASSET = new URL('./asset/opencode-monitor.js', import.meta.url);

let configDir: string;
beforeEach(async () => {
  configDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ocm-plugin-install-'));
});
afterEach(async () => {
  await fs.rm(configDir, { recursive: true, force: true });
});

const target = (): string => path.join(configDir, 'plugins', 'opencode-monitor.js');

describe('plugin paths', () => {
  it('defaults to $XDG_CONFIG_HOME/opencode/plugins, else ~/.config', () => {
    expect(openCodeConfigDir({ XDG_CONFIG_HOME: '/x/cfg', HOME: '/h' })).toBe('/x/cfg/opencode');
    expect(openCodeConfigDir({ XDG_CONFIG_HOME: 'relative', HOME: '/h' })).toBe('/h/.config/opencode');
    expect(pluginInstallPath({ env: { HOME: '/h' } })).toBe('/h/.config/opencode/plugins/opencode-monitor.js');
  });

  it('the shipped asset carries the marker', async () => {
    expect(isOurPlugin(await fs.readFile(ASSET, 'utf8'))).toBe(true);
    expect(isOurPlugin('export const Mine = async () => ({})\n')).toBe(false);
  });
});

describe('installPlugin', () => {
  it('installs, then reports unchanged, then updates an older copy of ours', async () => {
    expect(await installPlugin({ configDir })).toEqual({ ok: true, value: { path: target(), action: 'installed' } });
    expect(await fs.readFile(target(), 'utf8')).toBe(await fs.readFile(ASSET, 'utf8'));
    expect(await installPlugin({ configDir })).toEqual({ ok: true, value: { path: target(), action: 'unchanged' } });

    await fs.writeFile(target(), `${PLUGIN_MARKER} bridge v0\nexport const Old = async () => ({});\n`);
    expect(await installPlugin({ configDir })).toEqual({ ok: true, value: { path: target(), action: 'updated' } });
    expect(isOurPlugin(await fs.readFile(target(), 'utf8'))).toBe(true);
    expect(await fs.readdir(path.dirname(target()))).toEqual(['opencode-monitor.js']);
  });

  it('refuses to overwrite a foreign file of the same name unless forced', async () => {
    await fs.mkdir(path.dirname(target()), { recursive: true });
    const foreign = 'export const Theirs = async () => ({});\n';
    await fs.writeFile(target(), foreign);
    const refused = await installPlugin({ configDir });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.problem).toMatchObject({ code: 'config.invalid-argument', source: target() });
    expect(await fs.readFile(target(), 'utf8')).toBe(foreign);

    expect(await installPlugin({ configDir, force: true })).toEqual({ ok: true, value: { path: target(), action: 'updated' } });
    expect(isOurPlugin(await fs.readFile(target(), 'utf8'))).toBe(true);
  });

  it('treats a symlink at the plugin path as foreign', async () => {
    await fs.mkdir(path.dirname(target()), { recursive: true });
    const elsewhere = path.join(configDir, 'elsewhere.js');
    await fs.writeFile(elsewhere, `${PLUGIN_MARKER} not really\n`);
    await fs.symlink(elsewhere, target());
    expect((await installPlugin({ configDir })).ok).toBe(false);
    expect((await uninstallPlugin({ configDir })).ok && (await fs.lstat(target())).isSymbolicLink()).toBe(true);
  });

  it('reports an unwritable config dir as a problem, not an exception', async () => {
    const file = path.join(configDir, 'not-a-dir');
    await fs.writeFile(file, '');
    const result = await installPlugin({ configDir: file });
    expect(result.ok ? undefined : result.problem.code).toBe('source.unreadable');
  });
});

describe('uninstallPlugin', () => {
  it('removes our file and then reports not-installed', async () => {
    await installPlugin({ configDir });
    expect(await uninstallPlugin({ configDir })).toEqual({ ok: true, value: { path: target(), action: 'removed', foreignFileKept: false } });
    await expect(fs.access(target())).rejects.toThrow();
    expect(await uninstallPlugin({ configDir })).toEqual({ ok: true, value: { path: target(), action: 'not-installed', foreignFileKept: false } });
  });

  it('never removes a foreign file, nor the user’s other plugins', async () => {
    const dir = path.dirname(target());
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(target(), 'export const Theirs = async () => ({});\n');
    await fs.writeFile(path.join(dir, 'other.js'), `${PLUGIN_MARKER} copied by hand\n`);
    expect(await uninstallPlugin({ configDir })).toEqual({ ok: true, value: { path: target(), action: 'not-installed', foreignFileKept: true } });
    expect((await fs.readdir(dir)).sort()).toEqual(['opencode-monitor.js', 'other.js']);
  });

  it('also removes a copy of ours from the singular plugin/ folder OpenCode scans', async () => {
    const legacy = path.join(configDir, 'plugin', 'opencode-monitor.js');
    await fs.mkdir(path.dirname(legacy), { recursive: true });
    await fs.copyFile(ASSET, legacy);
    expect(await uninstallPlugin({ configDir })).toEqual({ ok: true, value: { path: legacy, action: 'removed', foreignFileKept: false } });
  });
});
