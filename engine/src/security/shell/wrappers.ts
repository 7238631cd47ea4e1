/**
 * Wrapper commands that run another command (`sudo -u root -E env FOO=1 bash …`) are peeled off into
 * `prefixes`, so rules see the command that actually runs. Each wrapper is described by its options as data.
 */
import { commandName, isAssignmentWord } from './scan.js';

interface WrapperSpec {
  /** Short options that take a value (`-u root` or `-uroot`). */
  readonly shortWithValue?: string;
  /** Long options that take a value when not written `--opt=value`. */
  readonly longWithValue?: readonly string[];
  /** Short options that mean no command follows (`sudo -l`, `command -v curl` only looks up). */
  readonly notRunning?: string;
  /** `NAME=value` words may sit between the options and the command (env, sudo). */
  readonly assignments?: boolean;
  /** Positional words before the command (`timeout 5s cmd`). */
  readonly positionals?: number;
  /** env's `-S 'a b'` splits its value into words. */
  readonly splitOption?: string;
  /** A lone `-` is an option (env: same as `-i`), not the command. */
  readonly loneDashIsOption?: boolean;
}

const WRAPPERS: ReadonlyMap<string, WrapperSpec> = new Map<string, WrapperSpec>([
  ['sudo', {
    shortWithValue: 'ugCDhprtTUR',
    longWithValue: ['--user', '--group', '--close-from', '--chdir', '--host', '--prompt', '--role', '--type',
      '--command-timeout', '--other-user', '--chroot'],
    notRunning: 'elvVK',
    assignments: true,
  }],
  ['doas', { shortWithValue: 'uC' }],
  ['pkexec', { longWithValue: ['--user'] }],
  ['env', { shortWithValue: 'uCSP', longWithValue: ['--unset', '--chdir', '--split-string'], assignments: true, splitOption: 'S', loneDashIsOption: true }],
  ['command', { notRunning: 'vV' }],
  ['builtin', {}],
  ['exec', { shortWithValue: 'a' }],
  ['nohup', {}],
  ['setsid', {}],
  ['time', { shortWithValue: 'of', longWithValue: ['--output', '--format'] }],
  ['nice', { shortWithValue: 'n', longWithValue: ['--adjustment'] }],
  ['ionice', { shortWithValue: 'cnpPu', longWithValue: ['--class', '--classdata', '--pid', '--pgid', '--uid'] }],
  ['timeout', { shortWithValue: 'sk', longWithValue: ['--signal', '--kill-after'], positionals: 1 }],
  ['stdbuf', { shortWithValue: 'ioe', longWithValue: ['--input', '--output', '--error'] }],
  ['xargs', {
    shortWithValue: 'adEILnPs',
    longWithValue: ['--arg-file', '--delimiter', '--eof', '--replace', '--max-lines', '--max-args', '--max-procs',
      '--max-chars', '--process-slot-var'],
  }],
  ['busybox', {}],
  ['watch', { shortWithValue: 'nq', longWithValue: ['--interval', '--equexit'] }],
]);

export interface Unwrapped {
  readonly argv: string[];
  readonly prefixes: string[];
}

const NO_PREFIXES: string[] = [];

/**
 * Strips wrappers from the front of `words`; assignments given to `env`/`sudo` are appended to `assignments`.
 * Returns `words` itself (no copy) when the command is not wrapped, the common case.
 */
export function unwrapCommand(words: string[], assignments: string[]): Unwrapped {
  let argv = words;
  let prefixes = NO_PREFIXES;
  for (let guard = 0; guard < 16 && argv.length > 0; guard++) {
    const name = commandName(argv[0]);
    const spec = WRAPPERS.get(name);
    if (spec === undefined) break;
    const commandAt = skipWrapperOptions(argv, spec, assignments);
    if (commandAt < 0) break;
    if (prefixes === NO_PREFIXES) prefixes = [];
    prefixes.push(name);
    argv = argv.slice(commandAt);
  }
  return { argv, prefixes };
}

/** Index of the wrapped command's first word in `argv` (may equal argv.length), or -1 when nothing is wrapped. */
function skipWrapperOptions(argv: string[], spec: WrapperSpec, assignments: string[]): number {
  let i = 1;
  while (i < argv.length) {
    const word = argv[i]!;
    if (word === '--') return i + 1 + skipPositionals(argv, i + 1, spec, assignments);
    if (word === '-' && spec.loneDashIsOption === true) {
      i++;
      continue;
    }
    if (word.length < 2 || word.charCodeAt(0) !== 45 /* - */) break;
    if (word.charCodeAt(1) === 45) {
      if (spec.longWithValue?.includes(word) === true) i++;
      if (spec.splitOption !== undefined && word.startsWith('--split-string')) {
        const value = word.includes('=') ? word.slice(word.indexOf('=') + 1) : argv[i];
        return splitInto(argv, i + 1, value);
      }
      i++;
      continue;
    }
    for (let j = 1; j < word.length; j++) {
      const flag = word[j]!;
      if (spec.notRunning?.includes(flag) === true) return -1;
      if (spec.shortWithValue?.includes(flag) !== true) continue;
      const attached = j + 1 < word.length;
      if (flag === spec.splitOption) return splitInto(argv, i + (attached ? 1 : 2), attached ? word.slice(j + 1) : argv[i + 1]);
      if (!attached) i++;
      break;
    }
    i++;
  }
  return i + skipPositionals(argv, i, spec, assignments);
}

function skipPositionals(argv: string[], from: number, spec: WrapperSpec, assignments: string[]): number {
  let i = from;
  if (spec.assignments === true) {
    while (i < argv.length && isAssignmentWord(argv[i]!, argv[i]!.length)) assignments.push(argv[i++]!);
  }
  return i - from + Math.min(spec.positionals ?? 0, argv.length - i);
}

/** `env -S 'bash -c x' y`: the value becomes words in front of the rest; returns where they start. */
function splitInto(argv: string[], restAt: number, value: string | undefined): number {
  const words = (value ?? '').split(/[ \t]+/).filter((w) => w !== '');
  argv.splice(0, restAt, ...words);
  return 0;
}
