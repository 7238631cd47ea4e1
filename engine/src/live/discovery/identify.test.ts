import { describe, expect, it } from 'vitest';
import { isOpencodeProcess, modeOf, opencodeMode } from './identify.js';
import type { ProcessIdentity } from './types.js';

const id = (name: string, argv: string[], exe?: string): ProcessIdentity => ({ name, argv, ...(exe ? { exe } : {}) });

describe('isOpencodeProcess', () => {
  it.each([
    ['native binary', id('opencode', ['/home/u/.opencode/bin/opencode'], '/home/u/.opencode/bin/opencode')],
    ['curl install shim', id('.opencode', ['/home/u/.opencode/bin/.opencode', 'serve'])],
    ['platform package, comm cut at 15 bytes', id('opencode-linux-', ['x'], '/n/opencode-linux-x64/bin/opencode-linux-x64')],
    ['platform package by exe only', id('MainThread', ['/usr/lib/opencode-darwin-arm64-baseline'], '/usr/lib/opencode-darwin-arm64-baseline')],
    ['windows image', id('opencode.exe', [])],
    ['node launcher', id('node', ['node', '/usr/lib/node_modules/opencode-ai/bin/opencode', 'serve'], '/usr/bin/node')],
    ['node launcher with node flags', id('node', ['/usr/bin/node', '--max-old-space-size=4096', '/x/opencode-ai/bin/opencode'])],
    ['bun dev checkout', id('bun', ['bun', 'run', '/src/opencode/packages/opencode/src/index.ts', 'serve'])],
    ['node launcher after a valued node option', id('node', ['node', '--import', 'tsx', '/x/opencode-ai/bin/opencode', 'serve'])],
  ])('accepts %s', (_, identity) => {
    expect(isOpencodeProcess(identity)).toBe(true);
  });

  it.each([
    ['this monitor', id('node', ['node', '/opt/opencode-monitor/bin/opencode-monitor', 'status'], '/usr/bin/node')],
    ['a node script in an opencode folder', id('node', ['node', '/home/u/opencode/server.js'])],
    ['a test file named opencode.ts', id('node', ['node', 'vitest', 'tests/harness/opencode.ts'])],
    // The monitor itself, reading OpenCode's usual data dir: it saw its own server as a locked OpenCode.
    ['this monitor given a data dir named opencode', id('node', ['node', '/opt/ocm/dist/engine/main.mjs', 'start', '--data-dir', '/home/u/.local/share/opencode'])],
    ['a script given an opencode binary as an argument', id('node', ['node', 'wrapper.js', '/usr/bin/opencode'])],
    ['an editor opening a file', id('vim', ['vim', '/home/u/.opencode/bin/opencode'])],
    ['python', id('python3', ['python3', '-m', 'http.server'])],
    ['a kernel thread', id('kworker/0:1', [])],
  ])('rejects %s', (_, identity) => {
    expect(isOpencodeProcess(identity)).toBe(false);
  });
});

describe('opencodeMode', () => {
  it.each([
    [['serve', '--port', '0', '--hostname', '127.0.0.1'], 'serve'],
    [['--print-logs', '--log-level', 'INFO', 'serve'], 'serve'],
    [['web'], 'web'],
    [['acp', '--port', '4096'], 'acp'],
    [['run', 'fix the bug'], 'run'],
    [['attach', 'http://127.0.0.1:4096'], 'attach'],
    [[], 'tui'],
    [['--port', '4096'], 'tui'],
    [['/home/u/project'], 'tui'],
    [['-m', 'serve', '/p'], 'tui'],
    [['models'], 'other'],
  ] as const)('%j → %s', (args, mode) => {
    expect(opencodeMode(args)).toBe(mode);
  });

  it('is unknown where the command line is hidden', () => {
    expect(modeOf(id('opencode.exe', []))).toBe('unknown');
    expect(modeOf(id('node', ['node', '/x/opencode-ai/bin/opencode', 'web']))).toBe('web');
  });
});
