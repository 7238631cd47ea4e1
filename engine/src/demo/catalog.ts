/**
 * What the demo is made of: a home directory, four projects with their languages, the models with list prices
 * (USD per million tokens; 0 for free models, which OpenCode records as cost 0 with real token counts) and the
 * words prompts and answers are drawn from. None of it describes a real machine.
 */

export const DEMO_HOME = '/home/demo';

export interface DemoModel {
  readonly providerID: string;
  readonly modelID: string;
  readonly price: { readonly input: number; readonly output: number; readonly cacheRead: number; readonly cacheWrite: number };
  readonly reasoning: boolean;
  /** How the provider reports cached input: Anthropic writes and reads explicitly, OpenAI reads in 1024-token blocks. */
  readonly cache: 'anthropic' | 'openai' | 'none';
  readonly callPrefix: string;
  readonly variant: string;
}

const model = (providerID: string, modelID: string, price: [number, number, number, number], reasoning: boolean, cache: DemoModel['cache'], callPrefix: string, variant = 'default'): DemoModel => ({
  providerID,
  modelID,
  price: { input: price[0], output: price[1], cacheRead: price[2], cacheWrite: price[3] },
  reasoning,
  cache,
  callPrefix,
  variant,
});

export const DEMO_MODELS: readonly DemoModel[] = [
  model('anthropic', 'claude-sonnet-4-5', [3, 15, 0.3, 3.75], true, 'anthropic', 'toolu_01'),
  model('anthropic', 'claude-sonnet-4-5', [3, 15, 0.3, 3.75], true, 'anthropic', 'toolu_01'),
  model('anthropic', 'claude-haiku-4-5', [1, 5, 0.1, 1.25], false, 'anthropic', 'toolu_01'),
  model('openai', 'gpt-5', [1.25, 10, 0.125, 0], true, 'openai', 'call_', 'medium'),
  model('google', 'gemini-2.5-pro', [1.25, 10, 0.31, 0], true, 'openai', 'call_'),
  model('opencode', 'big-pickle', [0, 0, 0, 0], true, 'openai', 'call_'),
];

export interface DemoStack {
  readonly name: string;
  readonly dirs: readonly string[];
  readonly ext: string;
  readonly test: string;
  readonly build: string;
  readonly topics: readonly string[];
}

export interface DemoProjectSpec {
  readonly name: string;
  readonly stack: DemoStack;
}

export const DEMO_PROJECTS: readonly DemoProjectSpec[] = [
  {
    name: 'billing-service',
    stack: { name: 'ts', dirs: ['src', 'src/invoices', 'src/payments', 'test'], ext: 'ts', test: 'npm test', build: 'npm run build', topics: ['invoice rounding', 'the Stripe webhook handler', 'retry logic for failed payments', 'the tax calculation', 'currency formatting'] },
  },
  {
    name: 'web-dashboard',
    stack: { name: 'vue', dirs: ['src/components', 'src/views', 'src/stores', 'tests'], ext: 'vue', test: 'npx vitest run', build: 'npx vite build', topics: ['the date range picker', 'dark mode', 'the usage chart', 'table pagination', 'the login redirect'] },
  },
  {
    name: 'data-pipeline',
    stack: { name: 'py', dirs: ['pipeline', 'pipeline/jobs', 'tests'], ext: 'py', test: 'pytest -q', build: 'python -m build', topics: ['the nightly export job', 'deduplication of events', 'the S3 uploader', 'schema validation', 'backfill performance'] },
  },
  {
    name: 'cli-tools',
    stack: { name: 'go', dirs: ['cmd/ctl', 'internal/config', 'internal/http'], ext: 'go', test: 'go test ./...', build: 'go build ./...', topics: ['the config loader', 'shell completion', 'the --json output', 'HTTP timeouts', 'the release workflow'] },
  },
];

export const PROMPT_VERBS = ['Fix', 'Add tests for', 'Refactor', 'Explain', 'Speed up', 'Document', 'Review', 'Clean up', 'Investigate a bug in'] as const;

export const FILE_WORDS = ['index', 'handler', 'client', 'store', 'utils', 'config', 'parser', 'format', 'retry', 'schema', 'worker', 'routes'] as const;

export const ANSWERS = [
  'The root cause was an off-by-one in the loop bound; I changed it and added a regression test.',
  'I split the function in two so each part can be tested on its own, and the tests pass.',
  'The slow path was a query inside a loop. It now loads everything in one query, which is about ten times faster.',
  'Done. The build is green and the new behaviour is covered by two tests.',
  'I documented the options in the README and added an example for the common case.',
  'The failure came from a missing await; the promise was dropped and the error swallowed. Fixed and tested.',
  'I could not reproduce it locally; I added logging around the retry so the next failure says why.',
];

export const INTERIM = [
  "I'll look at the existing code first.",
  "Let me run the tests to see what fails.",
  "I'll search for where this is used.",
  'Now I will make the change.',
  "Let me check the result.",
];

export const REASONING = [
  'The user wants the behaviour changed without breaking the public API. I should read the module, find the callers, then change the smallest thing.',
  'The test output shows an assertion on the total; the rounding happens before the sum. Moving it after the sum should fix it.',
  'There are two call sites. One passes a string, the other a number; normalising at the boundary is the cleanest option.',
  'I need to be careful with the migration: existing rows must keep working, so the new column needs a default.',
];

export const CODE_LINES = [
  'export function total(items: Item[]): number {',
  '  return items.reduce((sum, item) => sum + item.amount, 0);',
  '}',
  'const retries = config.retries ?? 3;',
  'if (!response.ok) throw new HttpError(response.status);',
  'for (const row of rows) {',
  '  await store.upsert(row);',
  'def export(rows):',
  '    return [normalize(r) for r in rows]',
  'func Load(path string) (*Config, error) {',
  '    return nil, fmt.Errorf("config: %w", err)',
  '<template><DateRange v-model="range" /></template>',
];

export const TEST_OUTPUT = [
  ' ✓ test/invoice.test.ts (12 tests) 41ms',
  ' ✓ test/payments.test.ts (8 tests) 27ms',
  ' Test Files  2 passed (2)',
  '      Tests  20 passed (20)',
  '=========== 31 passed in 1.84s ===========',
  'ok  	example.dev/ctl/internal/config	0.012s',
];

export const DOC_URLS = [
  'https://developer.mozilla.org/en-US/docs/Web/API/Fetch_API',
  'https://nodejs.org/api/stream.html',
  'https://docs.python.org/3/library/asyncio.html',
  'https://go.dev/doc/effective_go',
  'https://vuejs.org/guide/essentials/computed.html',
];
