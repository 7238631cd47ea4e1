import { describe, expect, it } from 'vitest';
import { appleScriptString, buildITermFocusScript, buildTerminalFocusScript, osascriptArgs } from './focusScripts.js';
import { parseMacTty } from './macTty.js';
import type { MacTty } from './macTty.js';

function tty(raw: string): MacTty {
  const parsed = parseMacTty(raw);
  if (!parsed.ok) throw new Error(parsed.problem.message);
  return parsed.value;
}

describe('appleScriptString', () => {
  it('quotes plain text', () => {
    expect(appleScriptString('/dev/ttys003')).toBe('"/dev/ttys003"');
  });
  it('escapes quotes and backslashes so a value cannot close the literal', () => {
    expect(appleScriptString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(appleScriptString('x" & (do shell script "id") & "')).toBe('"x\\" & (do shell script \\"id\\") & \\""');
  });
  it('replaces line breaks, which would end the -e line', () => {
    expect(appleScriptString('a\nb\rc\u2028d')).toBe('"a b c d"');
  });
});

describe('buildITermFocusScript', () => {
  it('walks windows, tabs and sessions, matching the session tty, and only if iTerm2 already runs', () => {
    const lines = buildITermFocusScript(tty('ttys003'));
    expect(lines.slice(0, 2)).toEqual(['if application id "com.googlecode.iterm2" is running then', '  tell application id "com.googlecode.iterm2"']);
    expect(lines).toContain('          if tty of aSession is "/dev/ttys003" then');
    expect(lines.filter((l) => l.includes('/dev/ttys'))).toHaveLength(1);
    expect(lines.join('\n')).toMatch(/select aWindow\n\s+select aTab\n\s+select aSession\n\s+activate\n\s+return "focused"/);
    expect(lines.at(-1)).toBe('return "not-found"');
  });
});

describe('buildTerminalFocusScript', () => {
  it('matches the tab tty, selects the tab, raises its window, and only if Terminal already runs', () => {
    const lines = buildTerminalFocusScript(tty('/dev/ttys12'));
    expect(lines.slice(0, 2)).toEqual(['if application id "com.apple.Terminal" is running then', '  tell application id "com.apple.Terminal"']);
    expect(lines).toContain('        if tty of aTab is "/dev/ttys12" then');
    expect(lines).toContain('          set selected of aTab to true');
    expect(lines).toContain('          set index of aWindow to 1');
    expect(lines.at(-1)).toBe('return "not-found"');
  });
});

describe('osascriptArgs', () => {
  it('passes each line as its own -e argument', () => {
    expect(osascriptArgs(['a', 'b'])).toEqual(['-e', 'a', '-e', 'b']);
  });
  it('no line of either script contains a line break (osascript would read it as two lines of one -e)', () => {
    for (const lines of [buildITermFocusScript(tty('s1')), buildTerminalFocusScript(tty('s1'))]) {
      for (const line of lines) expect(line).not.toMatch(/[\r\n]/);
    }
  });
});
