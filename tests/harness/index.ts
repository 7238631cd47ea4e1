/** Public surface of the OpenCode test harness (see README.md). */
export { startFakeModel } from './fakeModel.js';
export type { FakeModel, FakeModelOptions, FakeRequestInfo } from './fakeModel.js';
export { scenarioMarker, findScenarioId } from './fakeScript.js';
export type { FakeStep, FakeToolCall, FakeUsage, FakeHttpError } from './fakeScript.js';
export { startOpencode } from './opencode.js';
export type { OpencodeInstance, StartOpencodeOptions } from './opencode.js';
export { runOpencode } from './runOpencode.js';
export type { RunOpencodeOptions, RunOpencodeResult } from './runOpencode.js';
export { createOpencodeClient } from './opencodeClient.js';
export type { OpencodeClient, OpencodeClientOptions, PromptOptions } from './opencodeClient.js';
export { subscribeEvents } from './eventStream.js';
export type { EventSubscription, EventSubscriptionOptions } from './eventStream.js';
export { openOpencodeDb } from './opencodeDb.js';
export type { OpencodeDb, SessionRow, MessageRow, PartRow, TodoRow } from './opencodeDb.js';
export { createSandbox, DECOY_ENV, DECOY_SSH_KEY } from './sandbox.js';
export type { Sandbox, SandboxOptions } from './sandbox.js';
export {
  buildOpencodeConfig,
  DEFAULT_PERMISSION,
  FAKE_MODEL_COST,
  FAKE_MODEL_ID,
  FAKE_PROVIDER_ID,
  FAKE_ANTHROPIC_PROVIDER_ID,
} from './opencodeConfig.js';
export type { PermissionConfig, PermissionAction } from './opencodeConfig.js';
export { findRepoRoot, resolveOpencodeBinary } from './opencodeBinary.js';
export { expectedTokens, expectedCost } from './expectedUsage.js';
export type { OpencodeTokens } from './expectedUsage.js';
export { waitFor } from './waitFor.js';
export type { WaitOptions } from './waitFor.js';
export { SCENARIOS, scenarioById, runScenario, UNREACHABLE } from './scenarios.js';
export * as scenarios from './scenarios.js';
export type { Scenario, ScenarioEnv, ScenarioExpect, ExpectedTool, ScenarioDriverContext, ScenarioRun, RunScenarioOptions } from './scenarios.js';
export { waitSettled } from './runScenario.js';
export type { HarnessLog } from './harnessLog.js';
export type * from './opencodeTypes.js';
