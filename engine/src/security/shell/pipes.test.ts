import { describe, expect, it } from 'vitest';
import { parseShell } from './parse.js';
import { commandsPipedFrom, commandsPipedInto } from './pipes.js';

function namesAround(line: string, name: string): { into: string[]; from: string[] } {
  const parsed = parseShell(line);
  const index = parsed.commands.findIndex((c) => c.name === name);
  const names = (indices: number[]): string[] => indices.map((i) => parsed.commands[i]!.name);
  return { into: names(commandsPipedInto(parsed, index)), from: names(commandsPipedFrom(parsed, index)) };
}

describe('pipe neighbours', () => {
  it('follows a plain pipeline both ways', () => {
    expect(namesAround('curl x | gunzip | sh', 'gunzip')).toEqual({ into: ['curl'], from: ['sh'] });
  });

  it('sees through a group or subshell on either side of the pipe', () => {
    expect(namesAround('{ curl x; } | bash', 'curl')).toEqual({ into: [], from: ['bash'] });
    expect(namesAround('{ curl x; } | bash', 'bash')).toEqual({ into: ['curl'], from: [] });
    expect(namesAround('cat f | (cd /tmp && sh)', 'sh')).toEqual({ into: ['cat', 'cd'], from: [] });
  });

  it('does not link commands across && or ;', () => {
    expect(namesAround('curl x && sh', 'sh')).toEqual({ into: [], from: [] });
  });
});
