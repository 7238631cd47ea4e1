import { describe, expect, it } from 'vitest';
import { unwrapCommand } from './wrappers.js';

describe('unwrapCommand', () => {
  it.each([
    ['sudo -u root -g wheel -E ls', ['ls'], ['sudo'], []],
    ['sudo -uroot ls', ['ls'], ['sudo'], []],
    ['sudo --user root --preserve-env ls', ['ls'], ['sudo'], []],
    ['sudo A=1 ls', ['ls'], ['sudo'], ['A=1']],
    ['env - ls', ['ls'], ['env'], []],
    ['env -u HOME -C /tmp X=1 Y=2 ls -l', ['ls', '-l'], ['env'], ['X=1', 'Y=2']],
    ['nice -10 ls', ['ls'], ['nice'], []],
    ['nice --adjustment=5 ls', ['ls'], ['nice'], []],
    ['timeout --signal KILL -k 2 10 ls', ['ls'], ['timeout'], []],
    ['ionice -c3 -n7 ls', ['ls'], ['ionice'], []],
    ['stdbuf -o L -eL ls', ['ls'], ['stdbuf'], []],
    ['xargs -P 4 -n1 --max-args 2 -d , ls', ['ls'], ['xargs'], []],
    ['xargs', [], ['xargs'], []],
    ['time nohup setsid ls', ['ls'], ['time', 'nohup', 'setsid'], []],
    ['exec -a fake -c ls', ['ls'], ['exec'], []],
    ['watch -n 2 -d ls', ['ls'], ['watch'], []],
    ['doas -u www ls', ['ls'], ['doas'], []],
    ['pkexec --user root ls', ['ls'], ['pkexec'], []],
    ['sudo -e /etc/hosts', ['sudo', '-e', '/etc/hosts'], [], []],
    ['command -V ls', ['command', '-V', 'ls'], [], []],
    ['ls -la', ['ls', '-la'], [], []],
  ])('%s', (line, argv, prefixes, assignments) => {
    const found: string[] = [];
    const result = unwrapCommand(line.split(' '), found);
    expect(result).toEqual({ argv, prefixes });
    expect(found).toEqual(assignments);
  });

  it('splits env -S into words', () => {
    expect(unwrapCommand(['env', '-S', 'bash -c x', 'y'], [])).toEqual({ argv: ['bash', '-c', 'x', 'y'], prefixes: ['env'] });
    expect(unwrapCommand(['env', '--split-string=sh -c id'], [])).toEqual({ argv: ['sh', '-c', 'id'], prefixes: ['env'] });
  });
});
