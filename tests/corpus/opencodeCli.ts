/**
 * Runs the real OpenCode binary (from the `opencode-linux-x64` npm package) in an isolated HOME, as
 * opencode.md §9.1 describes: every XDG directory inside a temp root, auto-update, model fetch, sharing and
 * default plugins off. Used to capture the schema and by the corpus integration test.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests/corpus/../..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Path of the real OpenCode binary, or undefined when the npm package is not installed. */
export function findOpencodeBinary(): string | undefined {
  const candidates = [
    join(REPO_ROOT, 'node_modules', 'opencode-linux-x64', 'bin', 'opencode'),
    join(REPO_ROOT, 'node_modules', 'opencode-linux-x64-baseline', 'bin', 'opencode'),
    join(REPO_ROOT, 'node_modules', 'opencode-ai', 'bin', 'opencode.exe'),
  ];
  return candidates.find((path) => existsSync(path));
}

/** An isolated OpenCode home: `dataDir` is what `$XDG_DATA_HOME/opencode` resolves to inside it. */
export interface IsolatedHome {
  root: string;
  env: NodeJS.ProcessEnv;
  dataDir: string;
}

export async function createIsolatedHome(prefix = 'ocm-opencode-'): Promise<IsolatedHome> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  const dirs = {
    XDG_DATA_HOME: join(root, '.local', 'share'),
    XDG_CONFIG_HOME: join(root, '.config'),
    XDG_CACHE_HOME: join(root, '.cache'),
    XDG_STATE_HOME: join(root, '.local', 'state'),
  };
  for (const dir of Object.values(dirs)) await mkdir(dir, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: root,
    ...dirs,
    OPENCODE_DISABLE_AUTOUPDATE: '1',
    OPENCODE_DISABLE_MODELS_FETCH: '1',
    OPENCODE_DISABLE_SHARE: '1',
    OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
    OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
    OPENCODE_DISABLE_CLAUDE_CODE: '1',
    OPENCODE_DISABLE_EXTERNAL_SKILLS: '1',
  };
  return { root, env, dataDir: join(dirs.XDG_DATA_HOME, 'opencode') };
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs `opencode <args>` with the isolated environment; rejects on a non-zero exit or a timeout.
 * stdout goes to a temp file, not a pipe: the Bun-built binary exits before a large write to a pipe has drained
 * (`opencode export` of a big session came back cut at ~220 kB), while a file receives every byte.
 */
export async function runOpencode(
  binary: string,
  args: readonly string[],
  home: IsolatedHome,
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  const outDir = await mkdtemp(join(tmpdir(), 'ocm-opencode-out-'));
  const outPath = join(outDir, 'stdout');
  const out = await open(outPath, 'w');
  try {
    const stderr = await new Promise<string>((resolvePromise, reject) => {
      const child = spawn(binary, [...args], { env: home.env, cwd: options.cwd ?? home.root, stdio: ['ignore', out.fd, 'pipe'] });
      const errChunks: Buffer[] = [];
      let errBytes = 0;
      child.stderr?.on('data', (chunk: Buffer) => {
        // Bounded: keep the last 1 MB of stderr at most.
        errChunks.push(chunk);
        errBytes += chunk.length;
        while (errBytes > 1024 * 1024 && errChunks.length > 1) errBytes -= (errChunks.shift() as Buffer).length;
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`opencode ${args.join(' ')} could not start: ${error.message}`));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        const text = Buffer.concat(errChunks).toString('utf8');
        if (code === 0) resolvePromise(text);
        else reject(new Error(`opencode ${args.join(' ')} failed: ${signal ? `killed by ${signal}` : `exit ${code}`}\n${text}`));
      });
    });
    return { stdout: await readFile(outPath, 'utf8'), stderr };
  } finally {
    await out.close();
    await rm(outDir, { recursive: true, force: true });
  }
}
