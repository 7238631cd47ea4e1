/**
 * Tool calls as OpenCode stores them in a tool part's `state`: input, output, title and metadata per tool.
 * The ordinary calls are drawn at random from a project's stack; the risky ones are built by name in
 * scenarios.ts so the security audit has something to show.
 */
import { CODE_LINES, DOC_URLS, FILE_WORDS, TEST_OUTPUT, type DemoStack } from './catalog.js';
import type { DemoTodo } from './dataset.js';
import { chance, int, pick, type Rng } from './random.js';

export interface ToolCall {
  readonly tool: string;
  readonly input: Record<string, unknown>;
  readonly title: string;
  readonly output: string;
  readonly metadata: Record<string, unknown>;
  readonly durationMs: number;
  /** The call failed: the part's state is "error" with this message. */
  readonly error?: string;
  /** For edit and write: the file changed, with its line counts. */
  readonly change?: { readonly file: string; readonly additions: number; readonly deletions: number };
  /** For todowrite: the session's new list. */
  readonly todos?: readonly DemoTodo[];
}

export interface ToolContext {
  readonly rng: Rng;
  readonly root: string;
  readonly stack: DemoStack;
}

function code(rng: Rng, lines: number): string {
  return Array.from({ length: lines }, () => pick(rng, CODE_LINES)).join('\n');
}

export function randomFile(ctx: ToolContext): string {
  return `${ctx.root}/${pick(ctx.rng, ctx.stack.dirs)}/${pick(ctx.rng, FILE_WORDS)}.${ctx.stack.ext}`;
}

export function bashCall(rng: Rng, command: string, output: string, exit = 0): ToolCall {
  const description = command.split(' ').slice(0, 3).join(' ');
  return {
    tool: 'bash', input: { command, description }, title: command, output,
    metadata: { output, exit, description, truncated: false }, durationMs: int(rng, 300, 9000),
  };
}

export function readCall(rng: Rng, filePath: string, body: string): ToolCall {
  const numbered = body.split('\n').map((line, i) => `${String(i + 1).padStart(5, '0')}| ${line}`).join('\n');
  return {
    tool: 'read', input: { filePath }, title: filePath,
    output: `<path>${filePath}</path>\n<type>file</type>\n<content>\n${numbered}\n\n(End of file - total ${body.split('\n').length} lines)\n</content>`,
    metadata: { preview: body.split('\n', 20).join('\n'), truncated: false, loaded: [] }, durationMs: int(rng, 3, 40),
  };
}

export function webfetchCall(rng: Rng, url: string, output: string): ToolCall {
  return { tool: 'webfetch', input: { url, format: 'markdown' }, title: `${url} (text/html)`, output, metadata: { truncated: false }, durationMs: int(rng, 300, 3000) };
}

export function editCall(ctx: ToolContext, filePath: string): ToolCall {
  const { rng } = ctx;
  const additions = int(rng, 1, 24);
  const deletions = int(rng, 0, 10);
  const oldString = code(rng, Math.max(1, deletions));
  const newString = code(rng, additions);
  const patch = `Index: ${filePath}\n===================================================================\n--- ${filePath}\n+++ ${filePath}\n@@ -${int(rng, 1, 200)},${deletions} +${int(rng, 1, 200)},${additions} @@\n${oldString.split('\n').map((l) => `-${l}`).join('\n')}\n${newString.split('\n').map((l) => `+${l}`).join('\n')}\n`;
  return {
    tool: 'edit', input: { filePath, oldString, newString }, title: filePath, output: 'Edit applied successfully.',
    metadata: { diagnostics: {}, diff: patch, filediff: { file: filePath, patch, additions, deletions }, truncated: false },
    durationMs: int(rng, 5, 80), change: { file: filePath, additions, deletions },
  };
}

export function writeCall(rng: Rng, filePath: string, content: string): ToolCall {
  return {
    tool: 'write', input: { content, filePath }, title: filePath, output: 'Wrote file successfully.',
    metadata: { diagnostics: {}, filepath: filePath, exists: false, truncated: false }, durationMs: int(rng, 5, 60),
    change: { file: filePath, additions: content.split('\n').length, deletions: 0 },
  };
}

function search(ctx: ToolContext, tool: 'grep' | 'glob'): ToolCall {
  const { rng } = ctx;
  const files = Array.from({ length: int(rng, 0, 8) }, () => randomFile(ctx));
  if (tool === 'glob') {
    const pattern = `**/*.${ctx.stack.ext}`;
    return { tool, input: { pattern, path: ctx.root }, title: '.', output: files.join('\n') || 'No files found', metadata: { count: files.length, truncated: false }, durationMs: int(rng, 5, 120) };
  }
  const pattern = pick(rng, FILE_WORDS);
  const body = files.map((f) => `${f}:\n  Line ${int(rng, 1, 300)}: ${pick(rng, CODE_LINES)}`).join('\n');
  return { tool, input: { pattern, path: ctx.root, include: `*.${ctx.stack.ext}` }, title: pattern, output: files.length ? `Found ${files.length} matches\n${body}` : 'No files found', metadata: { matches: files.length, truncated: false }, durationMs: int(rng, 5, 150) };
}

export function todowriteCall(rng: Rng, todos: readonly DemoTodo[]): ToolCall {
  const open = todos.filter((t) => t.status === 'pending' || t.status === 'in_progress').length;
  return { tool: 'todowrite', input: { todos }, title: `${open} todos`, output: JSON.stringify(todos, null, 2), metadata: { todos, truncated: false }, durationMs: int(rng, 2, 30), todos };
}

/** An ordinary call of the kind a coding agent makes most: reads, searches, edits, test runs, docs. */
export function ordinaryCall(ctx: ToolContext): ToolCall {
  const { rng, stack } = ctx;
  const roll = rng.next();
  if (roll < 0.3) {
    const file = randomFile(ctx);
    return chance(rng, 0.04) ? { ...readCall(rng, file, ''), output: '', metadata: {}, error: `File not found: ${file}` } : readCall(rng, file, code(rng, int(rng, 6, 40)));
  }
  if (roll < 0.52) {
    const failing = chance(rng, 0.15);
    const command = pick(rng, [stack.test, stack.build, 'git status', 'git diff --stat', 'ls -la']);
    return bashCall(rng, command, failing ? `FAIL ${pick(rng, FILE_WORDS)}\nexpected 3 but got 2` : pick(rng, TEST_OUTPUT), failing ? 1 : 0);
  }
  if (roll < 0.7) {
    const call = editCall(ctx, randomFile(ctx));
    return chance(rng, 0.06) ? { ...call, output: '', metadata: {}, error: 'oldString not found in content' } : call;
  }
  if (roll < 0.8) return search(ctx, 'grep');
  if (roll < 0.88) return search(ctx, 'glob');
  if (roll < 0.94) return writeCall(rng, `${ctx.root}/${pick(rng, stack.dirs)}/${pick(rng, FILE_WORDS)}_new.${stack.ext}`, code(rng, int(rng, 5, 30)));
  return webfetchCall(rng, pick(rng, DOC_URLS), `# Documentation\n\n${code(rng, 8)}`);
}
