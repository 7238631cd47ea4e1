/**
 * Builds tool calls the way OpenCode 1.18.33 stores them in a tool part's `state` (opencode.md §6.3): input,
 * output, title and metadata per tool, plus failures and the risky calls of risky.ts. Output sizes are heavy
 * tailed: most are small, a few hundred thousand characters.
 */
import { chance, int, logNormalInt, pick, sample, weighted } from './random.js';
import type { Rng } from './random.js';
import { fakeSecretFile, riskyCommand, riskyReadPath, riskyUrl, riskyWritePath, RISK_RATE } from './risky.js';
import type { RiskCategory } from './risky.js';
import { numberLines, phrase, slice, textPools } from './text.js';
import type { Stack } from './catalog.js';

export const MCP_TOOLS = [
  'github_create_issue', 'github_list_pull_requests', 'github_get_file_contents', 'context7_resolve-library-id',
  'context7_get-library-docs', 'playwright_browser_navigate', 'linear_create_issue', 'sentry_search_issues',
] as const;

export const TOOL_WEIGHTS = weighted<string>([
  ['read', 24], ['bash', 20], ['edit', 12], ['grep', 8], ['glob', 6], ['write', 5], ['todowrite', 5], ['task', 4],
  ['webfetch', 3], ['question', 1], ['skill', 1.5], ['mcp', 3],
]);

export interface ToolContext {
  rng: Rng;
  home: string;
  /** Base of project files: the worktree, or the session directory in the "global" project (worktree "/"). */
  root: string;
  cwd: string;
  stack: Stack;
}

export interface FileDiff {
  file: string;
  patch: string;
  additions: number;
  deletions: number;
  status: 'added' | 'modified';
}

export interface TodoItem {
  content: string;
  status: 'pending' | 'in_progress' | 'completed' | 'cancelled';
  priority: 'high' | 'medium' | 'low';
}

export interface ToolCall {
  tool: string;
  input: Record<string, unknown>;
  title: string;
  output: string;
  metadata: Record<string, unknown>;
  /** Set when the call failed (state.status "error"). */
  error?: string;
  durationMs: number;
  risk?: RiskCategory;
  diff?: FileDiff;
  /** For task calls: the sub-agent to run (the family generator fills output and metadata). */
  subagent?: { description: string; prompt: string; agent: string };
  /** For todowrite calls: the new list. */
  todos?: TodoItem[];
}

/** Heavy-tailed size: log-normal body plus a rare 100–400 KB tail. */
function outputSize(rng: Rng, median: number, sigma: number, tail: number): number {
  if (chance(rng, tail)) return int(rng, 100_000, 400_000);
  return logNormalInt(rng, median, sigma, 1, 90_000);
}

function relative(ctx: ToolContext, path: string): string {
  return path.startsWith(ctx.root + '/') ? path.slice(ctx.root.length + 1) : path;
}

export function absolute(root: string, file: string): string {
  return file.startsWith('/') ? file : `${root}/${file}`;
}

export function randomFile(ctx: ToolContext): string {
  const { rng, stack } = ctx;
  const name = phrase(rng, 1).toLowerCase().replace(/[^a-z]/g, '') || 'index';
  return `${ctx.root}/${pick(rng, stack.dirs)}/${name}.${pick(rng, stack.exts)}`;
}

function makeDiff(ctx: ToolContext, file: string, status: FileDiff['status']): FileDiff {
  const { rng } = ctx;
  const code = textPools().code;
  const deletions = status === 'added' ? 0 : logNormalInt(rng, 3, 1, 0, 120);
  const additions = status === 'added' ? logNormalInt(rng, 40, 1, 1, 600) : logNormalInt(rng, 5, 1, 0, 200);
  const removed = deletions ? slice(code, rng, deletions * 30).split('\n').slice(0, deletions) : [];
  const added = slice(code, rng, Math.min(additions, 60) * 30).split('\n').slice(0, Math.min(additions, 60));
  const rel = relative(ctx, file);
  const patch = [
    `Index: ${file}`, '===================================================================',
    `--- ${file}`, `+++ ${file}`, `@@ -${int(rng, 1, 300)},${deletions} +${int(rng, 1, 300)},${additions} @@`,
    ...removed.map((l) => `-${l}`), ...added.map((l) => `+${l}`), '',
  ].join('\n');
  return { file: rel, patch, additions, deletions, status };
}

const TOOL_ERRORS: Readonly<Record<string, readonly string[]>> = {
  read: ['File not found: {file}'],
  edit: ['oldString not found in content', 'Found multiple matches for oldString. Provide more surrounding lines in oldString to identify the correct match.'],
  write: ['You must read file {file} before overwriting it. Use the Read tool first'],
  bash: ['Command timed out after 120000 ms', 'The user rejected permission to use this specific tool call.'],
  webfetch: ['Request failed with status code: 404', 'Request timed out'],
  default: ['The user rejected permission to use this specific tool call.', 'Tool execution aborted'],
};

const ERROR_RATE: Readonly<Record<string, number>> = { read: 0.03, edit: 0.08, write: 0.02, bash: 0.02, webfetch: 0.06 };

function maybeFail(ctx: ToolContext, call: ToolCall, file?: string): ToolCall {
  if (!chance(ctx.rng, ERROR_RATE[call.tool] ?? 0.01)) return call;
  const message = pick(ctx.rng, TOOL_ERRORS[call.tool] ?? TOOL_ERRORS['default'] ?? ['failed']).replace('{file}', file ?? '');
  const { diff: _diff, todos: _todos, ...rest } = call;
  return { ...rest, error: message, output: '', metadata: {} };
}

function bash(ctx: ToolContext): ToolCall {
  const { rng, stack } = ctx;
  const risky = chance(rng, RISK_RATE['bash'] ?? 0) ? riskyCommand(rng, ctx.home) : undefined;
  const command = risky?.value ?? pick(rng, [
    stack.test, stack.build, stack.install, 'git status', 'git diff --stat', 'git log --oneline -20', 'ls -la',
    `${stack.test} 2>&1 | tail -50`, 'git add -A && git commit -m "wip"', `rg -n "${phrase(rng, 1).toLowerCase()}" src`,
  ]);
  const output = slice(textPools().log, rng, outputSize(rng, 250, 1.7, 0.002));
  const exit = chance(rng, 0.12) ? pick(rng, [1, 2, 127]) : 0;
  const description = phrase(rng, int(rng, 2, 5));
  return maybeFail(ctx, {
    tool: 'bash', input: { command, description }, title: command, output,
    metadata: { output: output.slice(0, 30_000), exit, description, truncated: false },
    durationMs: logNormalInt(rng, 900, 1.4, 20, 600_000), ...(risky ? { risk: risky.category } : {}),
  });
}

function read(ctx: ToolContext): ToolCall {
  const { rng } = ctx;
  const risky = chance(rng, RISK_RATE['read'] ?? 0) ? riskyReadPath(rng, ctx.home, ctx.root) : undefined;
  const filePath = risky?.value ?? randomFile(ctx);
  const body = risky ? fakeSecretFile(rng, filePath) : slice(textPools().code, rng, outputSize(rng, 1000, 1.1, 0.002));
  const numbered = numberLines(body, 1);
  const lines = numbered.split('\n').length;
  const output = `<path>${filePath}</path>\n<type>file</type>\n<content>\n${numbered}\n\n(End of file - total ${lines} lines)\n</content>`;
  return maybeFail(ctx, {
    tool: 'read', input: { filePath }, title: relative(ctx, filePath), output,
    metadata: { preview: body.split('\n', 20).join('\n'), truncated: false, loaded: [] },
    durationMs: logNormalInt(rng, 15, 1, 1, 5000), ...(risky ? { risk: risky.category } : {}),
  }, filePath);
}

function edit(ctx: ToolContext, tool: 'edit' | 'write'): ToolCall {
  const { rng } = ctx;
  const risky = chance(rng, RISK_RATE[tool] ?? 0) ? riskyWritePath(rng, ctx.home, ctx.root) : undefined;
  const filePath = risky?.value ?? randomFile(ctx);
  const diff = makeDiff(ctx, filePath, tool === 'write' && chance(rng, 0.7) ? 'added' : 'modified');
  const base = { title: relative(ctx, filePath), durationMs: logNormalInt(rng, 40, 1, 2, 10_000), diff, ...(risky ? { risk: risky.category } : {}) };
  if (tool === 'write') {
    const content = slice(textPools().code, rng, logNormalInt(rng, 1200, 1, 20, 60_000));
    return maybeFail(ctx, {
      ...base, tool, input: { content, filePath }, output: 'Wrote file successfully.',
      metadata: { diagnostics: {}, filepath: filePath, exists: diff.status === 'modified', truncated: false },
    }, filePath);
  }
  const oldString = slice(textPools().code, rng, logNormalInt(rng, 120, 1, 5, 4000));
  const newString = slice(textPools().code, rng, logNormalInt(rng, 160, 1, 0, 6000));
  return maybeFail(ctx, {
    ...base, tool, input: { filePath, oldString, newString }, output: 'Edit applied successfully.',
    metadata: {
      diagnostics: {}, diff: diff.patch,
      filediff: { file: filePath, patch: diff.patch, additions: diff.additions, deletions: diff.deletions }, truncated: false,
    },
  }, filePath);
}

function search(ctx: ToolContext, tool: 'grep' | 'glob'): ToolCall {
  const { rng } = ctx;
  const files: string[] = [];
  const count = tool === 'glob' ? logNormalInt(rng, 12, 1.2, 0, 2000) : logNormalInt(rng, 6, 1.2, 0, 500);
  for (let i = 0; i < Math.min(count, 100); i++) files.push(randomFile(ctx));
  if (tool === 'glob') {
    const pattern = `**/*.${pick(rng, ctx.stack.exts)}`;
    return maybeFail(ctx, {
      tool, input: { pattern, path: ctx.cwd }, title: relative(ctx, ctx.cwd) || '.', output: files.join('\n') || 'No files found',
      metadata: { count, truncated: count > 100 }, durationMs: logNormalInt(rng, 60, 1, 2, 20_000),
    });
  }
  const pattern = phrase(rng, 1).toLowerCase();
  const code = textPools().code;
  const body = files.map((f) => `${f}:\n  Line ${int(rng, 1, 400)}: ${slice(code, rng, 60).split('\n')[0] ?? ''}`).join('\n');
  const tail = chance(rng, 0.002) ? slice(textPools().log, rng, int(rng, 100_000, 300_000)) : '';
  return maybeFail(ctx, {
    tool, input: { pattern, path: ctx.cwd, include: `*.${pick(rng, ctx.stack.exts)}` }, title: pattern,
    output: count ? `Found ${count} matches\n${body}${tail}` : 'No files found',
    metadata: { matches: count, truncated: count > 100 }, durationMs: logNormalInt(rng, 80, 1, 2, 20_000),
  });
}

function webfetch(ctx: ToolContext): ToolCall {
  const { rng } = ctx;
  const risky = chance(rng, RISK_RATE['webfetch'] ?? 0) ? riskyUrl(rng) : undefined;
  const url = risky?.value ?? pick(rng, [
    'https://developer.mozilla.org/en-US/docs/Web/API/Fetch_API', 'https://nodejs.org/api/stream.html',
    'https://www.sqlite.org/wal.html', 'https://vitest.dev/guide/', 'https://docs.python.org/3/library/asyncio.html',
    'https://go.dev/doc/effective_go', 'https://doc.rust-lang.org/book/ch16-00-concurrency.html', 'https://opencode.ai/docs/',
  ]);
  return maybeFail(ctx, {
    tool: 'webfetch', input: { url, format: 'markdown' }, title: `${url} (text/html)`,
    output: slice(textPools().web, rng, outputSize(rng, 4000, 1, 0.005)), metadata: { truncated: false },
    durationMs: logNormalInt(rng, 1200, 0.8, 100, 30_000), ...(risky ? { risk: risky.category } : {}),
  });
}

function todowrite(ctx: ToolContext, previous: readonly TodoItem[]): ToolCall {
  const { rng } = ctx;
  let todos: TodoItem[];
  if (previous.length === 0 || chance(rng, 0.15)) {
    todos = [];
    const n = int(rng, 2, 7);
    for (let i = 0; i < n; i++) {
      todos.push({ content: phrase(rng, int(rng, 3, 8)), status: i === 0 ? 'in_progress' : 'pending', priority: pick(rng, ['high', 'medium', 'medium', 'low'] as const) });
    }
  } else {
    todos = previous.map((t) => ({ ...t }));
    const current = todos.findIndex((t) => t.status === 'in_progress');
    if (current >= 0) {
      const item = todos[current];
      if (item) item.status = chance(rng, 0.95) ? 'completed' : 'cancelled';
      const next = todos.find((t) => t.status === 'pending');
      if (next) next.status = 'in_progress';
    }
  }
  const open = todos.filter((t) => t.status !== 'completed' && t.status !== 'cancelled').length;
  return {
    tool: 'todowrite', input: { todos }, title: `${open} todos`, output: JSON.stringify(todos, null, 2),
    metadata: { todos, truncated: false }, durationMs: int(rng, 2, 40), todos,
  };
}

function mcp(ctx: ToolContext): ToolCall {
  const { rng } = ctx;
  const tool = pick(rng, MCP_TOOLS);
  const input = tool.startsWith('github_')
    ? { owner: 'acme', repo: ctx.root.split('/').at(-1) ?? 'app', title: phrase(rng, 5) }
    : { query: phrase(rng, 3).toLowerCase() };
  const items = [];
  for (let i = 0, n = logNormalInt(rng, 4, 1, 1, 80); i < n; i++) items.push({ id: int(rng, 1, 99_999), title: phrase(rng, 6), state: pick(rng, ['open', 'closed']) });
  return maybeFail(ctx, {
    tool, input, title: '', output: JSON.stringify({ items }, null, 2), metadata: { truncated: false },
    durationMs: logNormalInt(rng, 700, 1, 50, 60_000),
  });
}

/** One tool call of the chosen kind (`previousTodos` feeds todowrite's progression). */
export function buildToolCall(ctx: ToolContext, previousTodos: readonly TodoItem[], allowTask: boolean): ToolCall {
  const { rng } = ctx;
  let kind = sample(rng, TOOL_WEIGHTS);
  if (kind === 'task' && !allowTask) kind = 'read';
  switch (kind) {
    case 'bash': return bash(ctx);
    case 'read': return read(ctx);
    case 'edit': return edit(ctx, 'edit');
    case 'write': return edit(ctx, 'write');
    case 'grep': return search(ctx, 'grep');
    case 'glob': return search(ctx, 'glob');
    case 'webfetch': return webfetch(ctx);
    case 'todowrite': return todowrite(ctx, previousTodos);
    case 'mcp': return mcp(ctx);
    case 'question': {
      const answer = pick(rng, ['Yes', 'No', 'Postgres', 'SQLite', 'Keep both', 'Use the existing helper']);
      const question = `${phrase(rng, int(rng, 4, 9))}?`;
      return {
        tool: 'question', title: 'Asked 1 question', durationMs: logNormalInt(rng, 20_000, 1, 1000, 900_000),
        input: { questions: [{ question, header: phrase(rng, 2), options: [{ label: answer, description: phrase(rng, 5) }, { label: 'Other', description: phrase(rng, 4) }] }] },
        output: `User has answered your questions: "${question}"="${answer}". You can now continue with the user's answers in mind.`,
        metadata: { answers: [[answer]], truncated: false },
      };
    }
    case 'skill': {
      const name = pick(rng, ['release-notes', 'db-migrations', 'code-review', 'frontend-design', 'pdf']);
      return {
        tool: 'skill', input: { name }, title: `Loaded skill: ${name}`, durationMs: int(rng, 3, 60),
        output: `<skill_content name="${name}">\n# Skill: ${name}\n\n${slice(textPools().prose, rng, logNormalInt(rng, 2500, 0.8, 200, 40_000))}</skill_content>`,
        metadata: { name, dir: `${ctx.home}/.config/opencode/skills/${name}`, truncated: false },
      };
    }
    default: {
      const agent = rng.next() < 0.62 ? 'general' : 'explore';
      const description = phrase(rng, int(rng, 2, 5));
      const prompt = slice(textPools().prose, rng, logNormalInt(rng, 400, 0.8, 40, 6000));
      return {
        tool: 'task', input: { description, prompt, subagent_type: agent }, title: description, output: '', metadata: {},
        durationMs: 0, subagent: { description, prompt, agent },
      };
    }
  }
}
