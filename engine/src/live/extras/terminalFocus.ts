/**
 * "Focus the terminal of this session": on macOS, bring the iTerm2 or Terminal.app tab whose tty matches to the
 * front. Elsewhere the focuser reports `available: false`, so the tray and dashboard hide the action instead of
 * offering one that fails; calling `focus` there anyway returns a Problem, never throws.
 */
import type { Problem, Result } from '../../../../shared/src/index.js';
import { createExecRunner } from '../discovery/index.js';
import type { CommandRunner } from '../discovery/index.js';
import { FOCUSED, NOT_FOUND, buildFocusScript, osascriptArgs } from './focusScripts.js';
import type { FocusApp } from './focusScripts.js';
import { parseMacTty, ttyOfPid } from './macTty.js';
import type { MacTty } from './macTty.js';

/** What the live state knows about where a session runs. A tty wins over a pid. */
export interface FocusTarget {
  readonly tty?: string;
  readonly pid?: number;
  /** Carried for messages only: a directory or a title never reaches a script (see focusScripts.ts). */
  readonly cwd?: string;
  readonly sessionTitle?: string;
}

export type FocusOutcome = 'focused' | 'not-found';

export interface TerminalFocuser {
  /** False on every platform but macOS; the UI hides the action then. */
  readonly available: boolean;
  focus(target: FocusTarget): Promise<Result<FocusOutcome>>;
}

/** The seed's osascript timeout; `ps` answers well within it. */
export const FOCUS_COMMAND_TIMEOUT_MS = 5_000;
/** Tried in this order; iTerm2 first because the seed supported only it and its users expect it. */
export const FOCUS_APPS: readonly FocusApp[] = ['iTerm2', 'Terminal'];

export function createTerminalFocuser(
  platform: NodeJS.Platform = process.platform,
  run: CommandRunner = createExecRunner(FOCUS_COMMAND_TIMEOUT_MS),
): TerminalFocuser {
  const available = platform === 'darwin';
  return {
    available,
    focus: (target) => (available ? focusOnMac(target, run) : Promise.resolve(unavailable(platform))),
  };
}

function unavailable(platform: string): Result<FocusOutcome> {
  return {
    ok: false,
    problem: {
      code: 'live.unsupported',
      message: `terminal focus works on macOS only (iTerm2 and Terminal, through AppleScript); not available on ${platform}, where the action is hidden`,
    },
  };
}

async function resolveTty(target: FocusTarget, run: CommandRunner): Promise<Result<MacTty | undefined>> {
  if (target.tty !== undefined) return parseMacTty(target.tty);
  if (target.pid !== undefined) return ttyOfPid(target.pid, run);
  return {
    ok: false,
    problem: { code: 'config.invalid-argument', message: `cannot focus ${describe(target)}: a terminal is found by its tty or by the pid of the process in it` },
  };
}

function describe(target: FocusTarget): string {
  if (target.sessionTitle) return `session "${target.sessionTitle.slice(0, 60)}"`;
  if (target.cwd) return `the session in ${target.cwd}`;
  return 'the session';
}

async function focusOnMac(target: FocusTarget, run: CommandRunner): Promise<Result<FocusOutcome>> {
  const tty = await resolveTty(target, run);
  if (!tty.ok) return tty;
  // No terminal (a server started by launchd, or a process that has ended): nothing to bring forward.
  if (tty.value === undefined) return { ok: true, value: 'not-found' };
  const problems: Problem[] = [];
  for (const app of FOCUS_APPS) {
    const out = await run('osascript', osascriptArgs(buildFocusScript(app, tty.value)));
    if (!out.ok) {
      // Expected when the app is not installed (the script does not compile) or Automation access was denied.
      problems.push(out.problem);
      continue;
    }
    const answer = out.value.trim();
    if (answer === FOCUSED) return { ok: true, value: 'focused' };
    if (answer !== NOT_FOUND) problems.push({ code: 'live.bad-response', message: `osascript (${app}) answered ${JSON.stringify(answer.slice(0, 80))}`, source: 'osascript' });
  }
  if (problems.length < FOCUS_APPS.length) return { ok: true, value: 'not-found' };
  const first = problems[0];
  return {
    ok: false,
    problem: {
      code: first?.code ?? 'internal.bug',
      message: `could not ask iTerm2 or Terminal for ${tty.value} (${first?.message ?? 'no answer'}); check System Settings → Privacy & Security → Automation`,
      source: 'osascript',
    },
  };
}
