/**
 * A small, strict argv parser: `<command> [positionals] [--flag value | --flag=value | --switch]`. Unknown
 * options are errors, not silently ignored, so a typo never runs the wrong job.
 */
import { fail, ok, type Result } from '../../../shared/src/index.js';

export interface OptionSpec {
  /** `string` options take a value; `boolean` ones do not. */
  readonly type: 'string' | 'boolean';
  readonly description: string;
}

export interface ParsedArgs {
  readonly positionals: string[];
  readonly options: Record<string, string | boolean>;
}

export function parseArgs(argv: readonly string[], spec: Readonly<Record<string, OptionSpec>>): Result<ParsedArgs> {
  const positionals: string[] = [];
  const options: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const option = spec[name];
    if (!option) return fail({ code: 'config.invalid-argument', message: `unknown option --${name}` });
    if (option.type === 'boolean') {
      if (eq !== -1) return fail({ code: 'config.invalid-argument', message: `--${name} takes no value` });
      options[name] = true;
      continue;
    }
    const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') return fail({ code: 'config.invalid-argument', message: `--${name} needs a value` });
    options[name] = value;
  }
  return ok({ positionals, options });
}

export function parsePort(value: string | boolean | undefined, fallback: number): Result<number> {
  if (value === undefined) return ok(fallback);
  const port = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(port) || port < 0 || port > 65535) {
    return fail({ code: 'config.invalid-argument', message: `--port must be an integer from 0 to 65535, got "${String(value)}"` });
  }
  return ok(port);
}
