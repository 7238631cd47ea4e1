/**
 * macOS terminal devices. A tty is the only value from outside that ever reaches an AppleScript (focusScripts.ts),
 * so it is validated here into a branded `MacTty`: exactly `/dev/ttys` followed by digits, nothing else.
 */
import type { Result } from '../../../../shared/src/index.js';
import type { CommandRunner } from '../discovery/index.js';

declare const macTtyBrand: unique symbol;
/** A validated macOS pseudo-terminal path such as `/dev/ttys003`. Only `parseMacTty` makes one. */
export type MacTty = string & { readonly [macTtyBrand]: true };

const DEV_TTY = /^\/dev\/ttys\d{1,6}$/;
// `ps -o tty=` prints `ttys003`; the abbreviated `tt` column (and some older ps builds) print `s003`.
const BARE_TTY = /^(?:tty)?s(\d{1,6})$/;

/** Accepts `/dev/ttys003`, `ttys003` or `s003`; anything else (console, `??`, paths, quotes) is rejected. */
export function parseMacTty(raw: string): Result<MacTty> {
  const value = raw.trim();
  if (DEV_TTY.test(value)) return { ok: true, value: value as MacTty };
  const bare = BARE_TTY.exec(value);
  if (bare) return { ok: true, value: `/dev/ttys${bare[1]}` as MacTty };
  return {
    ok: false,
    problem: { code: 'config.invalid-argument', message: `not a macOS terminal device (expected /dev/ttysNNN): ${JSON.stringify(value.slice(0, 40))}` },
  };
}

/**
 * Reads the output of `ps -o tty= -p <pid>`: one line with the controlling terminal, `??` when the process has
 * none (started by launchd, or a detached server), and nothing at all when the process is gone.
 */
export function parsePsTtyOutput(stdout: string): MacTty | undefined {
  const line = stdout.split('\n').map((l) => l.trim()).find((l) => l !== '');
  if (line === undefined || line === '??' || line === '-') return undefined;
  const tty = parseMacTty(line);
  return tty.ok ? tty.value : undefined;
}

export function isValidPid(pid: number): boolean {
  return Number.isSafeInteger(pid) && pid > 0;
}

/** The terminal a process runs in, via `ps`. `undefined` means the process has no terminal or no longer exists. */
export async function ttyOfPid(pid: number, run: CommandRunner): Promise<Result<MacTty | undefined>> {
  if (!isValidPid(pid)) return { ok: false, problem: { code: 'config.invalid-argument', message: `not a process id: ${String(pid)}` } };
  const out = await run('ps', ['-o', 'tty=', '-p', String(pid)]);
  if (!out.ok) return out;
  return { ok: true, value: parsePsTtyOutput(out.value) };
}
