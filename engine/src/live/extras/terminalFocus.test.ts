import { describe, expect, it } from 'vitest';
import type { Result } from '../../../../shared/src/index.js';
import type { CommandRunner } from '../discovery/index.js';
import { buildITermFocusScript, buildTerminalFocusScript, osascriptArgs } from './focusScripts.js';
import { parseMacTty } from './macTty.js';
import type { MacTty } from './macTty.js';
import { createTerminalFocuser } from './terminalFocus.js';

type Call = [string, readonly string[]];

/** A runner that records every call and answers from a script of replies, in order. */
function fakeRunner(replies: Array<Result<string>>): { run: CommandRunner; calls: Call[] } {
  const calls: Call[] = [];
  const run: CommandRunner = async (file, args) => {
    calls.push([file, args]);
    const reply = replies.shift();
    if (!reply) throw new Error(`unexpected call: ${file} ${args.join(' ')}`);
    return reply;
  };
  return { run, calls };
}

const said = (stdout: string): Result<string> => ({ ok: true, value: stdout });
const failed = (message: string): Result<string> => ({ ok: false, problem: { code: 'source.unreadable', message } });

function tty(raw: string): MacTty {
  const parsed = parseMacTty(raw);
  if (!parsed.ok) throw new Error(parsed.problem.message);
  return parsed.value;
}

const iterm = (t: string): Call => ['osascript', osascriptArgs(buildITermFocusScript(tty(t)))];
const terminal = (t: string): Call => ['osascript', osascriptArgs(buildTerminalFocusScript(tty(t)))];

describe('createTerminalFocuser on Linux and Windows', () => {
  it.each(['linux', 'win32'] as const)('is unavailable on %s and answers focus with a clear problem, running nothing', async (platform) => {
    const { run, calls } = fakeRunner([]);
    const focuser = createTerminalFocuser(platform, run);
    expect(focuser.available).toBe(false);
    const result = await focuser.focus({ tty: '/dev/ttys003' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.message).toMatch(new RegExp(`macOS only.*${platform}`));
    expect(calls).toEqual([]);
  });

  it('defaults to the current platform, which in CI is not macOS', () => {
    expect(createTerminalFocuser().available).toBe(process.platform === 'darwin');
  });
});

describe('createTerminalFocuser on macOS', () => {
  it('asks iTerm2 first with the exact osascript arguments and stops when it focused', async () => {
    const { run, calls } = fakeRunner([said('focused\n')]);
    const focuser = createTerminalFocuser('darwin', run);
    expect(focuser.available).toBe(true);
    expect(await focuser.focus({ tty: 'ttys003', sessionTitle: 'fix the build' })).toEqual({ ok: true, value: 'focused' });
    expect(calls).toEqual([iterm('/dev/ttys003')]);
    expect(calls[0]?.[1]).toEqual([
      '-e', 'if application id "com.googlecode.iterm2" is running then',
      '-e', '  tell application id "com.googlecode.iterm2"',
      '-e', '    repeat with aWindow in windows',
      '-e', '      repeat with aTab in tabs of aWindow',
      '-e', '        repeat with aSession in sessions of aTab',
      '-e', '          if tty of aSession is "/dev/ttys003" then',
      '-e', '            select aWindow',
      '-e', '            select aTab',
      '-e', '            select aSession',
      '-e', '            activate',
      '-e', '            return "focused"',
      '-e', '          end if',
      '-e', '        end repeat',
      '-e', '      end repeat',
      '-e', '    end repeat',
      '-e', '  end tell',
      '-e', 'end if',
      '-e', 'return "not-found"',
    ]);
  });

  it('falls back to Terminal.app when iTerm2 has no such tab', async () => {
    const { run, calls } = fakeRunner([said('not-found\n'), said('focused\n')]);
    const result = await createTerminalFocuser('darwin', run).focus({ tty: '/dev/ttys007' });
    expect(result).toEqual({ ok: true, value: 'focused' });
    expect(calls).toEqual([iterm('/dev/ttys007'), terminal('/dev/ttys007')]);
  });

  it('falls back to Terminal.app when iTerm2 is not installed (its script fails to compile)', async () => {
    const { run, calls } = fakeRunner([failed('osascript failed: Command failed'), said('focused')]);
    expect(await createTerminalFocuser('darwin', run).focus({ tty: '/dev/ttys007' })).toEqual({ ok: true, value: 'focused' });
    expect(calls).toHaveLength(2);
  });

  it('answers not-found when neither app shows that tty', async () => {
    const { run } = fakeRunner([said('not-found'), failed('osascript failed: Terminal got an error')]);
    expect(await createTerminalFocuser('darwin', run).focus({ tty: '/dev/ttys007' })).toEqual({ ok: true, value: 'not-found' });
  });

  it('reports a problem naming Automation access when both apps fail', async () => {
    const { run } = fakeRunner([failed('osascript failed: not authorized'), failed('osascript failed: not authorized')]);
    const result = await createTerminalFocuser('darwin', run).focus({ tty: '/dev/ttys007' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.message).toMatch(/\/dev\/ttys007.*not authorized.*Automation/);
  });

  it('reports an unexpected osascript answer as a bad response', async () => {
    const { run } = fakeRunner([said('execution error: -1728'), said('???')]);
    const result = await createTerminalFocuser('darwin', run).focus({ tty: '/dev/ttys007' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.code).toBe('live.bad-response');
  });

  it('finds the tty of a pid with ps, then focuses it', async () => {
    const { run, calls } = fakeRunner([said('ttys011\n'), said('focused')]);
    expect(await createTerminalFocuser('darwin', run).focus({ pid: 48213 })).toEqual({ ok: true, value: 'focused' });
    expect(calls).toEqual([['ps', ['-o', 'tty=', '-p', '48213']], iterm('/dev/ttys011')]);
  });

  it('prefers the given tty over the pid', async () => {
    const { run, calls } = fakeRunner([said('focused')]);
    await createTerminalFocuser('darwin', run).focus({ tty: '/dev/ttys002', pid: 48213 });
    expect(calls).toEqual([iterm('/dev/ttys002')]);
  });

  it('answers not-found, without AppleScript, for a process with no terminal', async () => {
    const { run, calls } = fakeRunner([said('  ??\n')]);
    expect(await createTerminalFocuser('darwin', run).focus({ pid: 612 })).toEqual({ ok: true, value: 'not-found' });
    expect(calls.map((c) => c[0])).toEqual(['ps']);
  });

  it('never runs osascript with an unvalidated tty', async () => {
    const { run, calls } = fakeRunner([]);
    const result = await createTerminalFocuser('darwin', run).focus({ tty: '/dev/ttys1" & (do shell script "id") & "' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.code).toBe('config.invalid-argument');
    expect(calls).toEqual([]);
  });

  it('refuses a target with only a directory or a title: neither may reach a script', async () => {
    const { run, calls } = fakeRunner([]);
    const result = await createTerminalFocuser('darwin', run).focus({ cwd: '/Users/alice/app', sessionTitle: 'x" & quit & "' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.message).toMatch(/tty or by the pid/);
    expect(calls).toEqual([]);
  });
});
