import { describe, expect, it } from 'vitest';
import { innerScriptOf, shellReadsStdin } from './innerScript.js';

describe('innerScriptOf', () => {
  it.each([
    [['bash', '-c', 'id'], 'id'],
    [['bash', '--norc', '-lxc', 'id', 'arg0'], 'id'],
    [['sh', '-o', 'pipefail', '-c', 'id'], 'id'],
    [['sh', '-c', '--', 'id'], 'id'],
    [['fish', '--command=id'], 'id'],
    [['fish', '--command', 'id'], 'id'],
    [['bash', 'script.sh', '-c', 'x'], null],
    [['bash', '-c'], null],
    [['bash'], null],
  ])('%j runs %j', (argv, text) => {
    expect(innerScriptOf(argv[0]!, argv, [])?.text ?? null).toBe(text);
  });

  it('handles eval, su and watch', () => {
    expect(innerScriptOf('eval', ['eval', 'a', 'b'], [])).toEqual({ text: 'a b', origin: 'eval' });
    expect(innerScriptOf('eval', ['eval'], [])).toBeNull();
    expect(innerScriptOf('su', ['su', '-', 'root', '-c', 'id'], [])).toEqual({ text: 'id', origin: 'shell-c' });
    expect(innerScriptOf('su', ['su', '--command=id'], [])).toEqual({ text: 'id', origin: 'shell-c' });
    expect(innerScriptOf('x', ['x | y'], ['watch'])).toEqual({ text: 'x | y', origin: 'shell-c' });
    expect(innerScriptOf('uptime', ['uptime'], ['watch'])).toBeNull();
    expect(innerScriptOf('ls', ['ls', '-c', 'x'], [])).toBeNull();
  });

  it.each([
    [['bash'], true], [['sh', '-s', 'arg'], true], [['bash', '-x'], true], [['bash', '-'], true],
    [['bash', '-c', 'id'], false], [['bash', 'file.sh'], false], [['bash', '-o', 'errexit'], true],
  ])('shellReadsStdin(%j) is %s', (argv, expected) => {
    expect(shellReadsStdin(argv)).toBe(expected);
  });
});
