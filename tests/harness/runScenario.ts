/**
 * Runs one scenario in its own session on a running instance and waits until the turn has settled.
 */
import type { FakeModel, FakeRequestInfo } from './fakeModel.js';
import type { OpencodeInstance } from './opencode.js';
import type { MessageWithParts } from './opencodeTypes.js';
import type { Scenario } from './scenarioTypes.js';
import { waitFor } from './waitFor.js';

export interface RunScenarioOptions {
  /** Budget for the whole run (driver and settling included). @default 60000 */
  timeoutMs?: number;
  /** Session title to create the session with (OpenCode may replace it with the generated title). */
  title?: string;
}

export interface ScenarioRun {
  scenario: Scenario;
  sessionId: string;
  /** Sub-agent sessions, depth-first, grandchildren included. */
  childSessionIds: string[];
  /** Final messages of the main session (API view). */
  messages: MessageWithParts[];
  /** Fake-model requests made for this run's script keys. */
  requests: FakeRequestInfo[];
  /** What the scenario's driver returned (e.g. the permission request it answered). */
  driverResult: unknown;
  durationMs: number;
}

export async function runScenario(instance: OpencodeInstance, fakeModel: FakeModel, scenario: Scenario, opts: RunScenarioOptions = {}): Promise<ScenarioRun> {
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const left = (): number => Math.max(1_000, timeoutMs - (Date.now() - started));
  const scripts = scenario.script({ projectDir: instance.projectDir, home: instance.home });
  for (const [key, steps] of Object.entries(scripts)) fakeModel.setScript(key, steps);
  const firstSeq = fakeModel.requests.at(-1)?.seq ?? -1;

  const session = await instance.createSession({
    ...(opts.title !== undefined ? { title: opts.title } : {}),
    ...(scenario.sessionPermission ? { permission: scenario.sessionPermission } : {}),
  });
  await instance.promptAsync(session.id, scenario.prompt, scenario.model ? { model: scenario.model } : {});
  const driverResult = scenario.drive ? await scenario.drive({ instance, fakeModel, sessionId: session.id, timeoutMs: left() }) : undefined;
  const messages = await waitSettled(instance, session.id, left());
  const childSessionIds = await descendants(instance, session.id);
  const keys = new Set(Object.keys(scripts));
  return {
    scenario,
    sessionId: session.id,
    childSessionIds,
    messages,
    requests: fakeModel.requests.filter((r) => r.seq > firstSeq && r.scenarioId !== undefined && keys.has(r.scenarioId)),
    driverResult,
    durationMs: Date.now() - started,
  };
}

/**
 * A turn has settled when the session is not in /session/status (idle) and the last assistant message after the
 * last user message is completed or failed. Both are needed: status can be idle before the turn even started.
 */
export async function waitSettled(instance: OpencodeInstance, sessionId: string, timeoutMs: number): Promise<MessageWithParts[]> {
  return waitFor(
    async () => {
      if ((await instance.status())[sessionId]) return undefined;
      const messages = await instance.messages(sessionId);
      let lastUser = -1;
      messages.forEach((m, i) => {
        if (m.info.role === 'user') lastUser = i;
      });
      const last = messages.slice(lastUser + 1).filter((m) => m.info.role === 'assistant').at(-1);
      if (lastUser < 0 || !last || !(last.info.time.completed || last.info.error)) return undefined;
      return messages;
    },
    { timeoutMs, intervalMs: 150, what: `session ${sessionId} to settle` },
  );
}

async function descendants(instance: OpencodeInstance, sessionId: string): Promise<string[]> {
  const out: string[] = [];
  const queue = [sessionId];
  // Bounded: a runaway delegation chain must not hang the test.
  while (queue.length > 0 && out.length < 50) {
    const id = queue.shift() as string;
    for (const child of await instance.children(id)) {
      out.push(child.id);
      queue.push(child.id);
    }
  }
  return out;
}
