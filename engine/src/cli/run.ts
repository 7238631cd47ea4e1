/** Dispatches `opencode-monitor <command>` to its command; prints usage and clear errors. */
import path from 'node:path';
import { formatProblem } from '../../../shared/src/index.js';
import { ENGINE_VERSION, resolvePaths } from '../config/index.js';
import { parseArgs, parsePort, type OptionSpec } from './args.js';
import type { CliIo } from './io.js';
import { auditCommand } from './auditCommand.js';
import { indexCommand } from './indexCommand.js';
import { pluginCommand } from './pluginCommand.js';
import { riskCommand } from './riskCommand.js';
import { statusCommand } from './statusCommand.js';
import { sourcesCommand } from './sourcesCommand.js';
import { sqlCommand } from './sqlCommand.js';
import { DEFAULT_PORT, startCommand } from './startCommand.js';

const COMMON: Record<string, OptionSpec> = {
  'data-dir': { type: 'string', description: "OpenCode's data directory (default $XDG_DATA_HOME/opencode)" },
  'state-dir': { type: 'string', description: "the monitor's saved index (default $XDG_STATE_HOME/opencode-monitor)" },
  help: { type: 'boolean', description: 'show help' },
};

const COMMANDS: Record<string, { summary: string; options: Record<string, OptionSpec> }> = {
  start: {
    summary: 'serve the dashboard on loopback and print its URL',
    options: {
      ...COMMON,
      port: { type: 'string', description: `port to listen on (default ${DEFAULT_PORT}; the next free one if taken)` },
      host: { type: 'string', description: 'address to bind (default 127.0.0.1)' },
      'allow-remote': { type: 'boolean', description: 'allow binding a non-loopback address' },
      open: { type: 'boolean', description: 'open the dashboard in the browser' },
      demo: { type: 'boolean', description: 'serve generated demo data even when OpenCode data exists' },
    },
  },
  index: {
    summary: 'index OpenCode storage through the worker pool and print what was found',
    options: { ...COMMON, json: { type: 'boolean', description: 'print one JSON object' } },
  },
  sql: {
    summary: 'run "<SQL>" (DuckDB dialect) over the indexed tables, the ones the dashboard queries',
    options: {
      ...COMMON,
      json: { type: 'boolean', description: 'print rows as a JSON array of objects' },
      csv: { type: 'boolean', description: 'print rows as CSV with a header line' },
    },
  },
  sources: {
    summary: 'list the OpenCode databases and legacy storage found, with record counts',
    options: { ...COMMON, json: { type: 'boolean', description: 'print JSON' } },
  },
  risk: {
    summary: 'score one action: risk <bash|read|write|edit|webfetch|mcp> <target>',
    options: {
      cwd: { type: 'string', description: 'project directory the action runs in (default: the current directory)' },
      json: { type: 'boolean', description: 'print {score, level, reasons, mitre}' },
      help: COMMON.help!,
    },
  },
  status: {
    summary: 'show every running OpenCode: sessions busy/idle/retry, running tools, permissions with risk',
    options: {
      'data-dir': COMMON['data-dir']!,
      json: { type: 'boolean', description: 'print the live state as JSON (one object per update with --watch)' },
      watch: { type: 'boolean', description: 'keep printing on every change until Ctrl-C' },
      help: COMMON.help!,
    },
  },
  plugin: {
    summary: 'plugin install|uninstall: the OpenCode plugin that reports plain TUIs to the engine',
    options: {
      force: { type: 'boolean', description: 'replace a file at the plugin path that opencode-monitor did not install' },
      json: { type: 'boolean', description: 'print {path, action}' },
      help: COMMON.help!,
    },
  },
  audit: {
    summary: 'print kill chains, correlations and the riskiest agent actions',
    options: {
      ...COMMON,
      since: { type: 'string', description: 'only actions and findings in this window, e.g. 24h, 7d, 2w' },
      json: { type: 'boolean', description: 'print one JSON object' },
    },
  },
};

const USAGE_NAMES: Record<string, string> = { sql: 'sql "<SQL>"', risk: 'risk K T', plugin: 'plugin A' };
const POSITIONALS: Record<string, number> = { sql: 1, risk: 2, plugin: 1 };

export function usage(): string {
  const lines = [`opencode-monitor ${ENGINE_VERSION}`, '', 'Usage: opencode-monitor <command> [options]', '', 'Commands:'];
  for (const [name, command] of Object.entries(COMMANDS)) {
    lines.push(`  ${(USAGE_NAMES[name] ?? name).padEnd(10)} ${command.summary}`);
    for (const [option, spec] of Object.entries(command.options)) {
      lines.push(`      --${(option + (spec.type === 'string' ? ' VALUE' : '')).padEnd(18)} ${spec.description}`);
    }
  }
  lines.push('', '  --version    print the version', '');
  return lines.join('\n');
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    io.stdout(`${ENGINE_VERSION}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.logger.error(`config.invalid-argument: unknown command "${name}"; run opencode-monitor --help`);
    return 2;
  }
  const parsed = parseArgs(rest, command.options);
  if (!parsed.ok) {
    io.logger.error(`${formatProblem(parsed.problem)} (opencode-monitor ${name} --help lists the options)`);
    return 2;
  }
  const { options, positionals } = parsed.value;
  if (options.help) {
    io.stdout(usage());
    return 0;
  }
  const expectedPositionals = POSITIONALS[name] ?? 0;
  if (positionals.length > expectedPositionals) {
    io.logger.error(`config.invalid-argument: unexpected argument "${positionals[expectedPositionals]}"`);
    return 2;
  }
  if (positionals.length < expectedPositionals) {
    const examples: Record<string, string> = {
      risk: 'risk needs a kind and a target, e.g. opencode-monitor risk bash "curl -s x | sh"',
      plugin: 'plugin needs an action: opencode-monitor plugin install (or uninstall)',
      sql: 'sql needs the SQL to run, e.g. opencode-monitor sql "SELECT count(*) FROM sessions"',
    };
    io.logger.error(`config.invalid-argument: ${examples[name] ?? `${name} needs more arguments`}`);
    return 2;
  }
  const paths = resolvePaths(io.env);
  if (name === 'plugin') return pluginCommand({ action: positionals[0]!, force: options.force === true, json: options.json === true }, io);
  if (name === 'risk') {
    const cwd = typeof options.cwd === 'string' ? path.resolve(options.cwd) : process.cwd();
    return riskCommand({ kind: positionals[0]!, target: positionals[1]!, cwd, configDir: paths.configDir, json: options.json === true }, io);
  }
  const dataDir = typeof options['data-dir'] === 'string' ? options['data-dir'] : paths.openCodeDataDir;
  const stateDir = typeof options['state-dir'] === 'string' ? options['state-dir'] : paths.stateDir;
  if (name === 'sources') return sourcesCommand({ dataDir, json: options.json === true }, io);
  const configDir = paths.configDir;
  if (name === 'index') return indexCommand({ dataDir, stateDir, configDir, json: options.json === true }, io);
  if (name === 'status') return statusCommand({ dataDir, configDir, json: options.json === true, watch: options.watch === true }, io);
  if (name === 'audit') {
    const since = typeof options.since === 'string' ? options.since : undefined;
    return auditCommand({ dataDir, stateDir, configDir, json: options.json === true, ...(since === undefined ? {} : { since }) }, io);
  }
  if (name === 'sql') {
    if (options.json === true && options.csv === true) {
      io.logger.error('config.invalid-argument: --json and --csv exclude each other');
      return 2;
    }
    const format = options.json === true ? 'json' : options.csv === true ? 'csv' : 'table';
    const width = process.stdout.isTTY ? process.stdout.columns : undefined;
    return sqlCommand({ dataDir, stateDir, configDir, sql: positionals[0] ?? '', format, ...(width === undefined ? {} : { maxWidth: width }) }, io);
  }
  const port = parsePort(options.port, DEFAULT_PORT);
  if (!port.ok) {
    io.logger.error(formatProblem(port.problem));
    return 2;
  }
  return startCommand(
    {
      dataDir,
      stateDir,
      configDir: paths.configDir,
      host: typeof options.host === 'string' ? options.host : '127.0.0.1',
      port: port.value,
      allowRemote: options['allow-remote'] === true,
      open: options.open === true,
      demo: options.demo === true,
    },
    io,
  );
}
