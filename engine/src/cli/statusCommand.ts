/**
 * `opencode-monitor status [--json] [--watch]`: the live state of every running OpenCode — instances, sessions
 * busy/idle/retry, running tools, pending permissions with their risk — as text or as the JSON of the shared
 * `LiveState` type. `--watch` keeps printing on every change until Ctrl-C.
 */
import { formatProblem, type LiveState } from '../../../shared/src/index.js';
import { createLiveMonitor, formatStatus } from '../live/index.js';
import { createScorer, loadRuleSet } from '../security/index.js';
import type { CliIo } from './io.js';
import { userRulesFile } from './securityRules.js';

export interface StatusOptions {
  readonly dataDir: string;
  readonly configDir: string;
  readonly json: boolean;
  readonly watch: boolean;
  /** Bound on waiting for discovered instances to finish their first seed. @default 3000 */
  readonly settleMs?: number;
}

const WATCH_THROTTLE_MS = 250;

const settled = (state: LiveState) => Object.values(state.instances).every((i) => i.connection !== 'connecting');

export async function statusCommand(options: StatusOptions, io: CliIo): Promise<number> {
  const rules = loadRuleSet({ userRulesFile: userRulesFile(options.configDir) });
  if (!rules.ok) {
    io.logger.error(formatProblem(rules.problem));
    return 1;
  }
  const monitor = createLiveMonitor({ dataDir: options.dataDir, env: io.env, scorer: createScorer(rules.value), logger: io.logger });
  const render = () => (options.json ? `${JSON.stringify(monitor.hub.state())}\n` : formatStatus(monitor.hub.state(), Date.now()));
  try {
    await monitor.start();
    const deadline = Date.now() + (options.settleMs ?? 3000);
    while (!settled(monitor.hub.state()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    io.stdout(render());
    if (!options.watch) return 0;
    let timer: NodeJS.Timeout | undefined;
    const unsubscribe = monitor.hub.subscribe(() => {
      timer ??= setTimeout(() => {
        timer = undefined;
        // On a terminal the picture is redrawn in place; piped, every update is appended.
        io.stdout(`${!options.json && process.stdout.isTTY ? '\x1b[2J\x1b[H' : ''}${render()}`);
      }, WATCH_THROTTLE_MS);
    });
    await io.stopSignal;
    unsubscribe();
    clearTimeout(timer);
    return 0;
  } finally {
    await monitor.stop();
  }
}
