/**
 * Runs the real engine CLI (`bin/opencode-monitor`) as a child process with its own config dir, learns the
 * dashboard URL from its output, and stops it by PID with SIGINT, as a user's Ctrl+C would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(REPO_ROOT, 'bin', 'opencode-monitor');

export interface EngineProcess {
  readonly url: string;
  readonly port: number;
  readonly configHome: string;
  readonly output: () => string;
  stop(): Promise<number | null>;
}

export async function startEngine(args: string[], options: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<EngineProcess> {
  const configHome = await fs.mkdtemp(path.join(os.tmpdir(), 'ocm-engine-config-'));
  const child: ChildProcess = spawn(process.execPath, [BIN, 'start', '--port', '0', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, XDG_CONFIG_HOME: configHome, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`engine printed no URL within ${options.timeoutMs ?? 30_000} ms:\n${output}`)), options.timeoutMs ?? 30_000);
    const poll = setInterval(() => {
      const match = /Dashboard: (http:\/\/\S+)/.exec(output);
      if (match) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(match[1]!);
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`engine exited with ${code} before printing its URL:\n${output}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    configHome,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      await fs.rm(configHome, { recursive: true, force: true });
      return code;
    },
  };
}
