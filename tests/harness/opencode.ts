/**
 * Starts a real `opencode serve` in an isolated sandbox and returns a handle with typed API helpers.
 * Always `await instance.stop()` (e.g. in afterAll); a process-exit safety net covers tests that crash first.
 */
import { createOpencodeClient } from './opencodeClient.js';
import type { OpencodeClient } from './opencodeClient.js';
import { subscribeEvents } from './eventStream.js';
import type { EventSubscription, EventSubscriptionOptions } from './eventStream.js';
import { resolveOpencodeBinary } from './opencodeBinary.js';
import { removeAtExit, spawnManaged } from './managedProcess.js';
import type { ManagedProcess } from './managedProcess.js';
import { createSandbox } from './sandbox.js';
import type { Sandbox, SandboxOptions } from './sandbox.js';
import { waitFor } from './waitFor.js';
import type { WaitOptions } from './waitFor.js';
import { silentLog } from './harnessLog.js';
import type { HarnessLog } from './harnessLog.js';

export interface StartOpencodeOptions extends SandboxOptions {
  /** Sets OPENCODE_SERVER_PASSWORD; the instance's helpers then send Basic auth. */
  password?: string;
  /** OPENCODE_SERVER_USERNAME. @default 'opencode' */
  username?: string;
  /** Keep the sandbox on disk after stop() (its path is `home`). @default false */
  keep?: boolean;
  /** Bound on start-up (listening line + health). @default 60000 */
  startTimeoutMs?: number;
  /** `--log-level`. @default 'INFO' */
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Override the binary (default: resolved from the opencode-ai devDependency). */
  binary?: string;
  log?: HarnessLog;
}

export interface OpencodeInstance extends OpencodeClient, Pick<Sandbox, 'home' | 'dataHome' | 'dataDir' | 'dbPath' | 'configDir' | 'projectDir'> {
  readonly port: number;
  readonly pid: number;
  /** The process environment it runs with (for `runOpencode` or a second instance). */
  readonly env: Readonly<Record<string, string>>;
  readonly password: string | undefined;
  /** Captured stdout+stderr tail, for failure diagnostics. */
  output(): string;
  /** Subscribes to `/global/event` (auth included). */
  events(opts?: EventSubscriptionOptions): Promise<EventSubscription>;
  /** Bounded polling helper (same as the standalone waitFor). */
  waitFor: typeof waitFor;
  /** Waits until the session is idle (absent from /session/status). */
  waitIdle(sessionId: string, opts?: WaitOptions): Promise<void>;
  /** SIGINT, wait, SIGKILL after a timeout, then remove the sandbox unless `keep`. Idempotent. */
  stop(): Promise<void>;
}

const LISTENING = /opencode server listening on (http:\/\/[^\s]+)/;

export async function startOpencode(opts: StartOpencodeOptions): Promise<OpencodeInstance> {
  const log = opts.log ?? silentLog;
  const sandbox = await createSandbox({
    ...opts,
    env: {
      ...(opts.password !== undefined ? { OPENCODE_SERVER_PASSWORD: opts.password } : {}),
      ...(opts.username !== undefined ? { OPENCODE_SERVER_USERNAME: opts.username } : {}),
      ...opts.env,
    },
  });
  const exitNet = opts.keep ? undefined : removeAtExit(sandbox.home);
  const binary = opts.binary ?? resolveOpencodeBinary();
  const args = ['serve', '--port', '0', '--hostname', '127.0.0.1', '--print-logs', '--log-level', opts.logLevel ?? 'INFO'];
  const proc = spawnManaged(binary, args, { cwd: sandbox.projectDir, env: sandbox.env });
  log('info', `opencode: started pid ${proc.pid} in ${sandbox.home}`);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      const info = await proc.stop({ signal: 'SIGINT', graceMs: 10_000 });
      log('info', `opencode: pid ${proc.pid} exited (code ${info.code}, signal ${info.signal})`);
      if (!opts.keep) {
        await sandbox.remove();
        exitNet?.forget();
      }
    })());

  try {
    const url = await waitListening(proc, opts.startTimeoutMs ?? 60_000);
    const client = createOpencodeClient({
      url,
      directory: sandbox.projectDir,
      ...(opts.password !== undefined ? { password: opts.password } : {}),
      ...(opts.username !== undefined ? { username: opts.username } : {}),
    });
    // A request sent before the server is fully ready can hang, hence short per-try timeouts.
    await waitFor(async () => (await client.health()).healthy, { timeoutMs: 30_000, intervalMs: 200, what: 'opencode /global/health' });
    const port = Number(new URL(url).port);
    log('info', `opencode: pid ${proc.pid} healthy at ${url}`);
    return {
      ...client,
      port,
      pid: proc.pid,
      env: sandbox.env,
      password: opts.password,
      home: sandbox.home,
      dataHome: sandbox.dataHome,
      dataDir: sandbox.dataDir,
      dbPath: sandbox.dbPath,
      configDir: sandbox.configDir,
      projectDir: sandbox.projectDir,
      output: () => proc.output.text(),
      events: (o) => subscribeEvents(client, o),
      waitFor,
      waitIdle: (sessionId, o) =>
        waitFor(async () => !(sessionId in (await client.status())), { timeoutMs: 60_000, intervalMs: 150, what: `session ${sessionId} idle`, ...o }).then(
          () => undefined,
        ),
      stop,
    };
  } catch (err) {
    const tail = proc.output.text().slice(-4000);
    await stop();
    throw new Error(`startOpencode failed: ${err instanceof Error ? err.message : String(err)}\n--- opencode output (tail) ---\n${tail}`);
  }
}

/** Resolves with the URL from the "listening" line; rejects on exit or timeout. */
function waitListening(proc: ManagedProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no "listening" line within ${timeoutMs} ms`)), timeoutMs);
    const check = (chunk: string): void => {
      seen = (seen + chunk).slice(-8192);
      const m = LISTENING.exec(seen);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    check(proc.stdout.text());
    proc.onStdout(check);
    void proc.exited.then((info) => {
      clearTimeout(timer);
      reject(new Error(`opencode exited during start-up (code ${info.code}, signal ${info.signal})`));
    });
  });
}
