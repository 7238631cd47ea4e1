/**
 * Decides which processes are OpenCode and how each was started. Pure: works on the light identity every
 * platform scanner provides (name, exe, argv).
 */
import type { OpencodeMode, ProcessIdentity } from './types.js';

/**
 * The native binary in its install shapes: `opencode`, the `.opencode` of curl installs, platform packages
 * (`opencode-linux-x64`, `opencode-darwin-arm64-baseline`, also as cut to 15 bytes in Linux comm), `.exe`.
 * `opencode-monitor` (this project) must not match.
 */
const OPENCODE_BINARY = /^\.?opencode(?:-(?:linux|darwin|windows|win32)(?:-[a-z0-9]*)*)?(?:\.exe)?$/i;
const INTERPRETER = /^(?:node|nodejs|bun)(?:\.exe)?$/i;
/** Interpreter options that take the next argument as their value (`node --import tsx script`). */
const INTERPRETER_VALUE_FLAGS = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions', '--env-file', '--inspect-port', '--title', '--input-type', '--preload', '--cwd']);
/** A dev checkout run by bun (`bun …/packages/opencode/src/index.ts`). */
const OPENCODE_SOURCE_ENTRY = /[\\/]opencode[\\/]src[\\/]index\.ts$/;

const SUBCOMMAND_MODES: Readonly<Record<string, OpencodeMode>> = { serve: 'serve', web: 'web', acp: 'acp', run: 'run', attach: 'attach' };
/** Subcommands that run briefly and never host an agent. */
const OTHER_SUBCOMMANDS = new Set([
  'auth', 'agent', 'upgrade', 'uninstall', 'models', 'stats', 'export', 'import', 'github', 'pr', 'mcp', 'debug', 'session',
  'generate', 'completion', 'plugin', 'db',
]);
/** Global and subcommand options that take a value, so their value is not mistaken for the subcommand. */
const VALUE_FLAGS = new Set([
  '--port', '--hostname', '--log-level', '--mdns-domain', '--cors', '--model', '-m', '--agent', '--session', '-s', '--prompt',
  '--variant', '--dir', '--format', '--file', '-f', '--title', '--attach',
]);

function basename(p: string | undefined): string {
  if (!p) return '';
  return p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
}

/** The arguments OpenCode itself received, or undefined when the process is not OpenCode. */
export function opencodeArguments(id: ProcessIdentity): readonly string[] | undefined {
  if ([basename(id.exe), id.name, basename(id.argv[0])].some((n) => OPENCODE_BINARY.test(n))) return id.argv.slice(1);
  const interpreted = [basename(id.exe), id.name, basename(id.argv[0])].some((n) => INTERPRETER.test(n));
  if (!interpreted) return undefined;
  // `node …/opencode-ai/bin/opencode serve` or `bun run …/opencode/src/index.ts serve`: options before the script
  // belong to the interpreter, and the script is the first argument after them. Only that one counts: a later
  // argument is the script's own (`opencode-monitor start --data-dir ~/.local/share/opencode` is not OpenCode).
  let script = 1;
  while (script < id.argv.length && id.argv[script]!.startsWith('-')) script += INTERPRETER_VALUE_FLAGS.has(id.argv[script]!) ? 2 : 1;
  if (id.argv[script] === 'run') script++;
  const entry = id.argv[script];
  if (entry === undefined || !(OPENCODE_BINARY.test(basename(entry)) || OPENCODE_SOURCE_ENTRY.test(entry))) return undefined;
  return id.argv.slice(script + 1);
}

export function isOpencodeProcess(id: ProcessIdentity): boolean {
  return opencodeArguments(id) !== undefined;
}

/** serve / web / acp / run / attach from the subcommand; no subcommand (or a project path) is the TUI. */
export function opencodeMode(args: readonly string[] | undefined, argvKnown = true): OpencodeMode {
  if (!argvKnown || args === undefined) return 'unknown';
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '--') break;
    if (a.startsWith('-')) {
      if (VALUE_FLAGS.has(a)) i++;
      continue;
    }
    return SUBCOMMAND_MODES[a] ?? (OTHER_SUBCOMMANDS.has(a) ? 'other' : 'tui');
  }
  return 'tui';
}

/** Mode of an identified process; 'unknown' where the platform hides the command line (Windows tasklist). */
export function modeOf(id: ProcessIdentity): OpencodeMode {
  return opencodeMode(opencodeArguments(id), id.argv.length > 0);
}
