/**
 * Shape of a reusable harness scenario: the fake model's script, the prompt that selects it, an optional driver
 * that plays the user (answers a permission or question, aborts), and what the run should leave in storage.
 */
import type { FakeModel } from './fakeModel.js';
import type { FakeStep } from './fakeScript.js';
import type { OpencodeInstance } from './opencode.js';
import type { PermissionRule } from './opencodeTypes.js';

/** Where a scenario runs; scripts use it to build absolute paths. */
export interface ScenarioEnv {
  projectDir: string;
  home: string;
}

export interface ScenarioDriverContext {
  instance: OpencodeInstance;
  fakeModel: FakeModel;
  sessionId: string;
  /** What is left of the scenario's time budget. */
  timeoutMs: number;
}

/** A tool part the run should produce, in order of creation. */
export interface ExpectedTool {
  tool: string;
  status: 'completed' | 'error';
}

/** What the run should produce; the integration test checks these against opencode.db for every scenario. */
export interface ScenarioExpect {
  /** Human-readable summary of the rows the scenario leaves. */
  notes: string;
  /** Tool parts of the main session, in order. */
  tools: ExpectedTool[];
  /** Tool parts of the (single) child session. */
  childTools?: ExpectedTool[];
  /** Number of child sessions (sub-agents). @default 0 */
  childSessions?: number;
  /** `error.name` of the last assistant message, if the turn fails. */
  messageError?: 'APIError' | 'MessageAbortedError';
  /** Rows in the `todo` table for the session. */
  todos?: number;
  /** The last assistant text part. */
  finalText?: string;
  /** The session passes through a `retry` status. */
  retry?: boolean;
}

export interface Scenario {
  id: string;
  description: string;
  /** The user prompt; contains the `[[scenario:<id>]]` marker. */
  prompt: string;
  /** Fake-model scripts keyed by scenario id (the main one is `id`; sub-agents use their own keys). */
  script(env: ScenarioEnv): Record<string, FakeStep[]>;
  /** Session-level permission rules (last match wins), e.g. make `touch *` ask. */
  sessionPermission?: PermissionRule[];
  /** Model to prompt with instead of the configured default. */
  model?: { providerID: string; modelID: string };
  /** Plays the user while the turn runs (the prompt is sent asynchronously first). Its result is returned. */
  drive?(ctx: ScenarioDriverContext): Promise<unknown>;
  expect: ScenarioExpect;
}
