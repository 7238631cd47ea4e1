/**
 * Extras of the live monitor (issue 5): focusing the terminal a session runs in (macOS only; unavailable
 * elsewhere, so the action is hidden) and the opt-in, off-by-default Claude subscription usage.
 */
export { createTerminalFocuser, FOCUS_APPS, FOCUS_COMMAND_TIMEOUT_MS } from './terminalFocus.js';
export type { FocusOutcome, FocusTarget, TerminalFocuser } from './terminalFocus.js';
export { BUNDLE_IDS, appleScriptString, buildFocusScript, buildITermFocusScript, buildTerminalFocusScript, osascriptArgs } from './focusScripts.js';
export type { FocusApp } from './focusScripts.js';
export { parseMacTty, parsePsTtyOutput, ttyOfPid } from './macTty.js';
export type { MacTty } from './macTty.js';
export {
  CLAUDE_OAUTH_BETA,
  CLAUDE_USAGE_ENDPOINT,
  CLAUDE_USAGE_REFRESH_MAX_MS,
  CLAUDE_USAGE_REFRESH_MIN_MS,
  CLAUDE_USAGE_REFRESH_MS,
  CLAUDE_USAGE_TIMEOUT_MS,
  createClaudeUsage,
} from './claudeUsage.js';
export type { ClaudeUsageOptions, ClaudeUsageReader } from './claudeUsage.js';
export { authFileIn } from './claudeAuth.js';
export type { ReadTextFile } from './claudeAuth.js';
export { parseUsageBody, usageLevel } from './usageWindows.js';
export type { ClaudeUsage, UsageLevel, UsageWindow } from './usageWindows.js';
