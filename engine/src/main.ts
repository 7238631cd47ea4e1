/**
 * Composition root of the engine process: wires the real console, environment and signals into the CLI.
 * The only file that installs process-level handlers.
 */
import { runCli } from './cli/index.js';
import { createLogger } from './log.js';

const logger = createLogger(process.env.OPENCODE_MONITOR_LOG === 'debug' ? 'debug' : 'info');

process.on('unhandledRejection', (reason) => {
  logger.error(`internal.bug: unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
  process.exitCode = 70;
});

const stopSignal = new Promise<string>((resolve) => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve(signal));
});

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  logger,
  env: process.env,
  stopSignal,
});
process.exit(code);
