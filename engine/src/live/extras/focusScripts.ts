/**
 * The AppleScripts that bring a terminal tab to the front, as pure functions so they can be read and tested as
 * text. Each script answers `focused` or `not-found` on stdout. Only a validated `MacTty` is interpolated, and it
 * still goes through `appleScriptString`, so a future caller cannot turn a value into script code.
 *
 * Each app is guarded by `application id "…" is running`: a bare `tell application` would launch an app the user
 * is not using. The scripts run one app per osascript call, because a script that names an app which is not
 * installed fails to compile as a whole.
 */
import type { MacTty } from './macTty.js';

export type FocusApp = 'iTerm2' | 'Terminal';

/** Apps are named by bundle id: display names differ between versions (iTerm2 ships as iTerm.app). */
export const BUNDLE_IDS: Readonly<Record<FocusApp, string>> = { iTerm2: 'com.googlecode.iterm2', Terminal: 'com.apple.Terminal' };

/** The stdout words the scripts end with. */
export const FOCUSED = 'focused';
export const NOT_FOUND = 'not-found';

/** An AppleScript string literal: backslashes and double quotes escaped, line breaks refused by replacement. */
export function appleScriptString(value: string): string {
  const escaped = value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/[\r\n\u2028\u2029]/g, ' ');
  return `"${escaped}"`;
}

/** iTerm2: windows → tabs → sessions; a session's `tty` is its device path. */
export function buildITermFocusScript(tty: MacTty): string[] {
  const target = appleScriptString(tty);
  return [
    `if application id "${BUNDLE_IDS.iTerm2}" is running then`,
    `  tell application id "${BUNDLE_IDS.iTerm2}"`,
    '    repeat with aWindow in windows',
    '      repeat with aTab in tabs of aWindow',
    '        repeat with aSession in sessions of aTab',
    `          if tty of aSession is ${target} then`,
    '            select aWindow',
    '            select aTab',
    '            select aSession',
    '            activate',
    `            return "${FOCUSED}"`,
    '          end if',
    '        end repeat',
    '      end repeat',
    '    end repeat',
    '  end tell',
    'end if',
    `return "${NOT_FOUND}"`,
  ];
}

/** Terminal.app: windows → tabs; a tab's `tty` is its device path, and selecting a tab needs its window raised. */
export function buildTerminalFocusScript(tty: MacTty): string[] {
  const target = appleScriptString(tty);
  return [
    `if application id "${BUNDLE_IDS.Terminal}" is running then`,
    `  tell application id "${BUNDLE_IDS.Terminal}"`,
    '    repeat with aWindow in windows',
    '      repeat with aTab in tabs of aWindow',
    `        if tty of aTab is ${target} then`,
    '          set selected of aTab to true',
    '          set index of aWindow to 1',
    '          activate',
    `          return "${FOCUSED}"`,
    '        end if',
    '      end repeat',
    '    end repeat',
    '  end tell',
    'end if',
    `return "${NOT_FOUND}"`,
  ];
}

export function buildFocusScript(app: FocusApp, tty: MacTty): string[] {
  return app === 'iTerm2' ? buildITermFocusScript(tty) : buildTerminalFocusScript(tty);
}

/** `osascript -e <line> -e <line> …`: osascript joins the `-e` arguments into one script, one line each. */
export function osascriptArgs(lines: readonly string[]): string[] {
  return lines.flatMap((line) => ['-e', line]);
}
