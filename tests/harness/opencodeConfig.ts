/**
 * The global `opencode.jsonc` of a harness sandbox: two custom providers that both point at the fake model
 * (OpenAI-compatible `fake`, Anthropic-format `fake-anthropic`), prices for cost checks, and permissions.
 */

export type PermissionAction = 'allow' | 'ask' | 'deny';
/** OpenCode's `permission` config: one action, or per permission an action or a pattern → action map. */
export type PermissionConfig = PermissionAction | Record<string, PermissionAction | Record<string, PermissionAction>>;

/** Prices per 1M tokens configured for the fake model, so tests can recompute `cost`. */
export const FAKE_MODEL_COST = { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 } as const;
export const FAKE_PROVIDER_ID = 'fake';
export const FAKE_ANTHROPIC_PROVIDER_ID = 'fake-anthropic';
export const FAKE_MODEL_ID = 'fake-model';

/**
 * Allow everything by default: a harness turn must never block on a prompt it did not ask for. The `*` rule also
 * overrides OpenCode's built-in asks (reading `.env`, paths outside the project) that risky scenarios rely on.
 */
export const DEFAULT_PERMISSION: PermissionConfig = { '*': 'allow' };

export interface OpencodeConfigOptions {
  /** Base URL of the fake model, ending in /v1. */
  fakeModelUrl: string;
  /** Merged over DEFAULT_PERMISSION (a string replaces it). */
  permission?: PermissionConfig;
  /** `provider/model` used for turns and titles. @default 'fake/fake-model' */
  model?: string;
  /** Extra top-level keys, shallow-merged last. */
  extra?: Record<string, unknown>;
}

export function buildOpencodeConfig(opts: OpencodeConfigOptions): Record<string, unknown> {
  const model = opts.model ?? `${FAKE_PROVIDER_ID}/${FAKE_MODEL_ID}`;
  const modelEntry = {
    name: 'Fake Model',
    tool_call: true,
    reasoning: true,
    temperature: true,
    cost: { ...FAKE_MODEL_COST },
    limit: { context: 200_000, output: 8192 },
  };
  const permission: PermissionConfig =
    typeof opts.permission === 'string' || opts.permission === undefined
      ? (opts.permission ?? DEFAULT_PERMISSION)
      : { ...(DEFAULT_PERMISSION as Record<string, PermissionAction>), ...opts.permission };
  return {
    $schema: 'https://opencode.ai/config.json',
    model,
    small_model: model,
    enabled_providers: [FAKE_PROVIDER_ID, FAKE_ANTHROPIC_PROVIDER_ID],
    autoupdate: false,
    share: 'disabled',
    provider: {
      [FAKE_PROVIDER_ID]: {
        npm: '@ai-sdk/openai-compatible',
        name: 'Fake Local (OpenAI format)',
        options: { baseURL: opts.fakeModelUrl, apiKey: 'fake-key' },
        models: { [FAKE_MODEL_ID]: modelEntry },
      },
      [FAKE_ANTHROPIC_PROVIDER_ID]: {
        npm: '@ai-sdk/anthropic',
        name: 'Fake Local (Anthropic format)',
        options: { baseURL: opts.fakeModelUrl, apiKey: 'fake-key' },
        models: { [FAKE_MODEL_ID]: modelEntry },
      },
    },
    permission,
    ...opts.extra,
  };
}
