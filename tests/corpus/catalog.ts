/**
 * Fixed catalogs the corpus draws from: models with prices, agents, project stacks, slugs and dates.
 * Prices are USD per million tokens (list prices at the time of writing, or 0 for free, subscription or
 * local models, which is how OpenCode records them: cost 0 with real token counts).
 */
import { weighted } from './random.js';

export type CacheStyle = 'anthropic' | 'openai' | 'none';

export interface ModelInfo {
  providerID: string;
  modelID: string;
  /** USD per 1M tokens: input, output (reasoning is billed as output), cache read, cache write. */
  price: { input: number; output: number; cacheRead: number; cacheWrite: number };
  reasoning: boolean;
  cache: CacheStyle;
  /** Prefix of tool call ids this provider produces. */
  callPrefix: string;
  /** `variant` stored in session.model. */
  variant: string;
}

const model = (
  providerID: string,
  modelID: string,
  price: [number, number, number, number],
  reasoning: boolean,
  cache: CacheStyle,
  callPrefix = 'call_',
  variant = 'default',
): ModelInfo => ({
  providerID,
  modelID,
  price: { input: price[0], output: price[1], cacheRead: price[2], cacheWrite: price[3] },
  reasoning,
  cache,
  callPrefix,
  variant,
});

export const MODELS = weighted<ModelInfo>([
  [model('anthropic', 'claude-sonnet-4-5', [3, 15, 0.3, 3.75], true, 'anthropic', 'toolu_01'), 30],
  [model('anthropic', 'claude-opus-4-1', [15, 75, 1.5, 18.75], true, 'anthropic', 'toolu_01', 'high'), 6],
  [model('anthropic', 'claude-haiku-4-5', [1, 5, 0.1, 1.25], false, 'anthropic', 'toolu_01'), 6],
  [model('openai', 'gpt-5', [1.25, 10, 0.125, 0], true, 'openai', 'call_', 'medium'), 12],
  [model('openai', 'gpt-5-mini', [0.25, 2, 0.025, 0], true, 'openai'), 5],
  [model('openai', 'gpt-5-codex', [1.25, 10, 0.125, 0], true, 'openai'), 6],
  [model('google', 'gemini-2.5-pro', [1.25, 10, 0.31, 0], true, 'openai', 'call_'), 6],
  [model('opencode', 'big-pickle', [0, 0, 0, 0], true, 'openai'), 6],
  [model('opencode', 'grok-code', [0, 0, 0, 0], false, 'openai'), 3],
  [model('openrouter', 'qwen/qwen3-coder', [0.4, 1.6, 0, 0], false, 'none'), 3],
  [model('deepseek', 'deepseek-chat', [0.28, 0.42, 0.028, 0], false, 'openai'), 3],
  [model('github-copilot', 'gpt-4.1', [0, 0, 0, 0], false, 'openai'), 4],
  [model('ollama', 'qwen2.5-coder:14b', [0, 0, 0, 0], false, 'none'), 3],
]);

export const ROOT_AGENTS = weighted<string>([
  ['build', 76],
  ['plan', 20],
  ['docs', 4],
]);

export const SUBAGENTS = weighted<string>([
  ['general', 62],
  ['explore', 38],
]);

export interface Stack {
  name: string;
  dirs: readonly string[];
  exts: readonly string[];
  test: string;
  build: string;
  install: string;
}

export const STACKS: readonly Stack[] = [
  { name: 'ts', dirs: ['src', 'src/lib', 'src/server', 'src/components', 'test', 'scripts'], exts: ['ts', 'tsx', 'json'], test: 'npm test', build: 'npm run build', install: 'npm install' },
  { name: 'py', dirs: ['app', 'app/api', 'app/models', 'tests', 'scripts'], exts: ['py', 'toml', 'cfg'], test: 'pytest -q', build: 'python -m build', install: 'pip install -r requirements.txt' },
  { name: 'go', dirs: ['cmd/server', 'internal/store', 'internal/http', 'pkg/util'], exts: ['go', 'mod'], test: 'go test ./...', build: 'go build ./...', install: 'go mod download' },
  { name: 'rs', dirs: ['src', 'src/bin', 'tests', 'benches'], exts: ['rs', 'toml'], test: 'cargo test', build: 'cargo build --release', install: 'cargo fetch' },
];

export const PROJECT_NAMES = [
  'billing-service', 'web-dashboard', 'cli-tools', 'infra-terraform', 'mobile-api', 'data-pipeline', 'auth-gateway',
  'docs-site', 'search-indexer', 'payments-sdk', 'chat-widget', 'ml-experiments', 'image-resizer', 'feature-flags',
  'notification-hub', 'inventory', 'crm-sync', 'static-blog', 'game-server', 'observability', 'pdf-renderer',
  'scheduler', 'wasm-playground', 'ledger', 'edge-proxy', 'kb-bot', 'survey-app', 'metrics-agent', 'geo-tiles',
  'video-transcoder', 'crawler', 'rate-limiter', 'analytics-etl', 'shop-frontend', 'pricing-engine', 'mail-relay',
  'queue-worker', 'tenant-admin', 'oauth-demo', 'design-system',
];

const ADJECTIVES = [
  'eager', 'jolly', 'curious', 'stellar', 'brave', 'calm', 'clever', 'cosmic', 'crisp', 'daring', 'gentle', 'glossy',
  'happy', 'hidden', 'lucky', 'misty', 'nimble', 'proud', 'quiet', 'rapid', 'silent', 'sunny', 'swift', 'tidy',
  'vivid', 'witty', 'zesty', 'bold', 'bright', 'cheerful',
];
const NOUNS = [
  'otter', 'garden', 'pixel', 'falcon', 'harbor', 'meadow', 'comet', 'lantern', 'river', 'canyon', 'maple', 'orbit',
  'panda', 'quartz', 'rocket', 'sparrow', 'tiger', 'valley', 'willow', 'wizard', 'beacon', 'cactus', 'dolphin',
  'engine', 'forest', 'glacier', 'island', 'jungle', 'knight', 'nebula',
];

export function slugFrom(a: number, b: number): string {
  return `${ADJECTIVES[a % ADJECTIVES.length] ?? 'eager'}-${NOUNS[b % NOUNS.length] ?? 'otter'}`;
}

export const SLUG_WORDS = { adjectives: ADJECTIVES.length, nouns: NOUNS.length };

/** OpenCode versions that wrote the sessions, by age inside the window (oldest first). */
export const VERSIONS_BY_AGE = ['1.17.20', '1.18.10', '1.18.33'] as const;
/** Version written into legacy (pre-SQLite) JSON sessions. */
export const LEGACY_VERSION = '1.1.65';

/** Default end of the corpus time window: 2026-11-01T00:00:00Z. */
export const DEFAULT_END_TIME = Date.UTC(2026, 10, 1, 0, 0, 0);
export const DEFAULT_DAYS = 90;
export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

/** Relative activity by UTC hour of day (a European working day with evenings). */
export const HOUR_WEIGHTS = weighted<number>(
  [0.3, 0.2, 0.15, 0.1, 0.1, 0.2, 0.5, 1.5, 3, 4.5, 5, 5, 4, 4.5, 5, 5, 4.5, 3.5, 2.5, 2, 2, 1.8, 1.2, 0.6].map(
    (w, hour) => [hour, w] as const,
  ),
);
