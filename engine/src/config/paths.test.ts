import { describe, expect, it } from 'vitest';
import { resolvePaths } from './paths.js';

describe('resolvePaths', () => {
  it('follows the XDG variables', () => {
    const paths = resolvePaths({ HOME: '/h', XDG_DATA_HOME: '/d', XDG_STATE_HOME: '/s', XDG_CONFIG_HOME: '/c' });
    expect(paths).toEqual({ openCodeDataDir: '/d/opencode', stateDir: '/s/opencode-monitor', configDir: '/c/opencode-monitor' });
  });

  it('falls back to the XDG defaults under HOME, ignoring relative values', () => {
    const paths = resolvePaths({ HOME: '/home/ann', XDG_DATA_HOME: 'relative/dir' });
    expect(paths).toEqual({
      openCodeDataDir: '/home/ann/.local/share/opencode',
      stateDir: '/home/ann/.local/state/opencode-monitor',
      configDir: '/home/ann/.config/opencode-monitor',
    });
  });
});
