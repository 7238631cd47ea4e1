/**
 * An isolated HOME for one OpenCode process: XDG dirs, global config, a git project with a real root commit, and
 * decoy secrets (a dummy SSH key and `.env`) so risky scenarios have something harmless to touch.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildOpencodeConfig } from './opencodeConfig.js';
import type { PermissionConfig } from './opencodeConfig.js';

const execFileAsync = promisify(execFile);

/** Decoy contents; tests can look for them in tool outputs. None of them is a real secret. */
export const DECOY_SSH_KEY =
  '-----BEGIN OPENSSH PRIVATE KEY-----\nHARNESS-DECOY-KEY-NOT-A-REAL-SECRET-0000000000\n-----END OPENSSH PRIVATE KEY-----\n';
export const DECOY_ENV = 'API_TOKEN=harness-decoy-token-0000\nDATABASE_URL=postgres://decoy:decoy@127.0.0.1:9/decoy\n';

/** Variables OpenCode reacts to that must not leak in from the developer's shell. */
const DROPPED_ENV = /^(OPENCODE_|ANTHROPIC_|OPENAI_|GEMINI_|GOOGLE_|AWS_|AZURE_|GITHUB_TOKEN$|GH_TOKEN$|XDG_)/;

export interface SandboxOptions {
  fakeModelUrl: string;
  permission?: PermissionConfig;
  /** `provider/model` for turns and titles. */
  model?: string;
  /** Extra top-level config keys. */
  config?: Record<string, unknown>;
  /** Reuse this XDG_DATA_HOME (and so the DB) of another sandbox; it is never removed by this one. */
  dataHome?: string;
  /** Reuse this project directory instead of creating one; never removed by this sandbox. */
  projectDir?: string;
  /** Extra environment, applied last (undefined deletes a variable). */
  env?: Record<string, string | undefined>;
}

export interface Sandbox {
  /** The temporary HOME; everything this sandbox created lives below it. */
  home: string;
  /** XDG_DATA_HOME. */
  dataHome: string;
  /** `$XDG_DATA_HOME/opencode`. */
  dataDir: string;
  dbPath: string;
  /** `$XDG_CONFIG_HOME/opencode`, holding opencode.jsonc. */
  configDir: string;
  projectDir: string;
  env: Record<string, string>;
  remove(): Promise<void>;
}

export async function createSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const home = await mkdtemp(join(tmpdir(), 'ocm-harness-'));
  const dataHome = opts.dataHome ?? join(home, '.local', 'share');
  const xdg = {
    XDG_DATA_HOME: dataHome,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
  };
  for (const dir of Object.values(xdg)) await mkdir(dir, { recursive: true });
  const configDir = join(xdg.XDG_CONFIG_HOME, 'opencode');
  await mkdir(configDir, { recursive: true });
  const config = buildOpencodeConfig({
    fakeModelUrl: opts.fakeModelUrl,
    ...(opts.permission !== undefined ? { permission: opts.permission } : {}),
    ...(opts.model !== undefined ? { model: opts.model } : {}),
    ...(opts.config !== undefined ? { extra: opts.config } : {}),
  });
  await writeFile(join(configDir, 'opencode.jsonc'), JSON.stringify(config, null, 2));
  // OpenCode's snapshots and our project commit both run git under this HOME.
  await writeFile(join(home, '.gitconfig'), '[user]\n\tname = Harness\n\temail = harness@example.invalid\n[init]\n\tdefaultBranch = main\n');
  await mkdir(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  await writeFile(join(home, '.ssh', 'id_rsa'), DECOY_SSH_KEY, { mode: 0o600 });
  await chmod(join(home, '.ssh', 'id_rsa'), 0o600);

  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !DROPPED_ENV.test(k)) env[k] = v;
  Object.assign(env, xdg, {
    HOME: home,
    OPENCODE_DISABLE_AUTOUPDATE: '1',
    OPENCODE_DISABLE_MODELS_FETCH: '1',
    OPENCODE_DISABLE_SHARE: '1',
    OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
    OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
    OPENCODE_DISABLE_CLAUDE_CODE: '1',
    OPENCODE_DISABLE_EXTERNAL_SKILLS: '1',
  });
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }

  const projectDir = opts.projectDir ?? (await createProject(join(home, 'project'), env));
  // OpenCode takes a session's directory from $PWD, not from the process cwd: an inherited PWD would put every
  // session in the test runner's checkout.
  env['PWD'] = projectDir;
  const dataDir = join(dataHome, 'opencode');
  return {
    home,
    dataHome,
    dataDir,
    dbPath: join(dataDir, 'opencode.db'),
    configDir,
    projectDir,
    env,
    remove: () => rm(home, { recursive: true, force: true, maxRetries: 3 }),
  };
}

/** A git repo with one commit, so OpenCode's project id is a real root commit hash rather than "global". */
async function createProject(dir: string, env: Record<string, string>): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'README.md'), '# Harness project\n\nA tiny repository for OpenCode harness runs.\n');
  await writeFile(join(dir, 'notes.txt'), 'first line\nsecond line\n');
  const git = (...args: string[]): Promise<unknown> => execFileAsync('git', args, { cwd: dir, env, timeout: 20_000 });
  await git('init', '-q');
  await git('add', '.');
  await git('commit', '-q', '-m', 'init');
  // Left untracked on purpose: a secrets file an agent might read, like in a real checkout.
  await writeFile(join(dir, '.env'), DECOY_ENV);
  return dir;
}
