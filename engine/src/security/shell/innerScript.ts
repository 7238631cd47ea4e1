/**
 * Commands whose arguments are themselves shell code: `bash -c '…'` (and the other shells), `su -c`, `eval`,
 * `trap '…' SIG`, and `watch '…'` (which hands its arguments to `sh -c`). The parser parses that code one layer deeper.
 */
import type { CommandOrigin } from './types.js';

export const SHELL_NAMES: ReadonlySet<string> = new Set([
  'sh', 'bash', 'zsh', 'dash', 'ksh', 'fish', 'ash', 'mksh', 'csh', 'tcsh', 'yash', 'posh', 'rbash', 'ksh93',
]);

export interface InnerScript {
  readonly text: string;
  readonly origin: CommandOrigin;
}

/** The shell code an already-unwrapped command runs from its own arguments, or null. */
export function innerScriptOf(name: string, argv: readonly string[], prefixes: readonly string[]): InnerScript | null {
  if (SHELL_NAMES.has(name)) return shellCommandString(argv);
  if (name === 'eval') return argv.length > 1 ? { text: argv.slice(1).join(' '), origin: 'eval' } : null;
  if (name === 'su' || name === 'runuser') return suCommandString(argv);
  // `trap 'code' EXIT` runs its first argument later, in this shell.
  if (name === 'trap' && argv.length > 2 && !argv[1]!.startsWith('-')) return { text: argv[1]!, origin: 'shell-c' };
  if (prefixes.includes('watch') && argv.length > 0) {
    const text = argv.join(' ');
    return /[\s|&;<>()$`]/.test(text) ? { text, origin: 'shell-c' } : null;
  }
  return null;
}

/** `bash -c 'code'`, `bash -lc 'code'`, `bash -o pipefail -c 'code'`, `fish --command=code`. */
function shellCommandString(argv: readonly string[]): InnerScript | null {
  let wantsCommand = false;
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i]!;
    if (word.startsWith('--command=')) return { text: word.slice(10), origin: 'shell-c' };
    if (word === '--command') return i + 1 < argv.length ? { text: argv[i + 1]!, origin: 'shell-c' } : null;
    if (word === '--') continue;
    if (word.startsWith('--')) {
      if (word === '--rcfile' || word === '--init-file' || word === '--init-command' || word === '-C') i++;
      continue;
    }
    const first = word.charCodeAt(0);
    if (word.length > 1 && (first === 45 /* - */ || first === 43 /* + */)) {
      if (word.includes('c')) wantsCommand = true;
      // `-o pipefail` / `-O extglob` take the next word.
      if (word.includes('o') || word.includes('O')) i++;
      continue;
    }
    return wantsCommand ? { text: word, origin: 'shell-c' } : null;
  }
  return null;
}

/** True when the shell reads its commands from stdin: no `-c` and no script file (`bash`, `sh -s`, `bash -`). */
export function shellReadsStdin(argv: readonly string[]): boolean {
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '-s' || word === '-' || word === '--') return true;
    const first = word.charCodeAt(0);
    if (word.length > 1 && (first === 45 || first === 43)) {
      if (!word.startsWith('--') && word.includes('c')) return false;
      if (word.includes('o') || word.includes('O')) i++;
      continue;
    }
    return false;
  }
  return true;
}

function suCommandString(argv: readonly string[]): InnerScript | null {
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '-c' || word === '--command') return i + 1 < argv.length ? { text: argv[i + 1]!, origin: 'shell-c' } : null;
    if (word.startsWith('--command=')) return { text: word.slice(10), origin: 'shell-c' };
  }
  return null;
}
