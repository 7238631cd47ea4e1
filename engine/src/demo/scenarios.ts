/**
 * The everyday sessions of the demo: a developer asks for a change, the agent plans with todos, reads, searches,
 * edits and runs the tests over a few steps, sometimes hands a search to a sub-agent, and answers. Some steps
 * fail (a missing file, a test run that exits 1, an overloaded provider) because real sessions do.
 */
import { ANSWERS, INTERIM, PROMPT_VERBS, REASONING, type DemoStack } from './catalog.js';
import type { DemoTodo } from './dataset.js';
import { chance, int, pick, type Rng } from './random.js';
import type { Delegation, SessionBuilder } from './session.js';
import { ordinaryCall, randomFile, readCall, todowriteCall, type ToolCall, type ToolContext } from './tools.js';

export interface OrdinaryOptions {
  readonly exchanges: number;
  /** The first exchange hands a search to this sub-agent. */
  readonly delegate: Delegation['agent'] | null;
  /** One step of the second exchange fails with a provider error. */
  readonly providerError: boolean;
}

export function promptFor(rng: Rng, stack: DemoStack): string {
  return `${pick(rng, PROMPT_VERBS)} ${pick(rng, stack.topics)}`;
}

const OVERLOADED = {
  name: 'APIError',
  data: { message: 'Overloaded', statusCode: 529, isRetryable: true, responseBody: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}' },
};

function toolContext(builder: SessionBuilder, rng: Rng): ToolContext {
  return { rng, root: builder.spec.worktree, stack: builder.spec.stack };
}

function planTodos(rng: Rng, prompt: string): DemoTodo[] {
  const steps = ['Read the current implementation', `${prompt}`, 'Update the tests', 'Run the test suite'];
  return steps.slice(0, int(rng, 2, 4)).map((content, i) => ({ content, status: i === 0 ? 'in_progress' : 'pending', priority: i < 2 ? 'high' : 'medium' }));
}

/** Marks the list done, except sometimes the last item: sessions do end with work left over. */
function advance(rng: Rng, todos: readonly DemoTodo[]): DemoTodo[] {
  const leaveLast = todos.length > 2 && chance(rng, 0.4);
  return todos.map((t, i) => ({ ...t, status: leaveLast && i === todos.length - 1 ? 'pending' : 'completed' }));
}

/** A sub-agent (explore or general) that searches and reads, then reports what it found. */
export function searchDelegation(rng: Rng, builder: SessionBuilder, topic: string, agent: Delegation['agent']): Delegation {
  const ctx = toolContext(builder, rng);
  return {
    description: agent === 'explore' ? `Find code for ${topic}` : `Research ${topic}`,
    prompt: `Search the repository for everything related to ${topic} and list the files and functions involved.`,
    agent,
    run(child) {
      const user = child.user(`Search the repository for everything related to ${topic} and list the files and functions involved.`);
      child.step(user, { text: pick(rng, INTERIM), calls: [ordinaryCallOf(ctx, 'grep'), ordinaryCallOf(ctx, 'glob')] });
      const file = randomFile(ctx);
      child.step(user, { calls: [readCall(rng, file, `// ${topic}\nexport const enabled = true;`)] });
      child.step(user, { text: `${topic} is handled in ${file.slice(builder.spec.worktree.length + 1)}; two callers depend on it.` });
    },
  };
}

/** Draws ordinary calls until one of the wanted tool comes up (keeps the sub-agent read-only). */
function ordinaryCallOf(ctx: ToolContext, tool: string): ToolCall {
  for (let i = 0; i < 50; i++) {
    const call = ordinaryCall(ctx);
    if (call.tool === tool) return call;
  }
  return readCall(ctx.rng, randomFile(ctx), '');
}

export function runOrdinarySession(builder: SessionBuilder, rng: Rng, firstPrompt: string, options: OrdinaryOptions): void {
  const ctx = toolContext(builder, rng);
  let todos: DemoTodo[] = [];
  for (let e = 0; e < options.exchanges; e++) {
    if (e > 0) builder.pause(60_000, 6 * 60_000);
    const prompt = e === 0 ? firstPrompt : promptFor(rng, ctx.stack);
    const user = builder.user(e === 0 ? `${prompt}. Keep the public API unchanged.` : prompt);
    if (e === 1 && options.providerError) {
      builder.step(user, { error: OVERLOADED });
      builder.pause(2000, 8000);
    }
    const first: Array<ToolCall | Delegation> = [];
    if (e === 0 && chance(rng, 0.6)) {
      todos = planTodos(rng, prompt);
      first.push(todowriteCall(rng, todos));
    }
    if (e === 0 && options.delegate) first.push(searchDelegation(rng, builder, pick(rng, ctx.stack.topics), options.delegate));
    first.push(ordinaryCall(ctx));
    builder.step(user, { reasoning: pick(rng, REASONING), text: pick(rng, INTERIM), calls: first });
    const more = int(rng, 1, 4);
    for (let s = 0; s < more; s++) {
      const calls: ToolCall[] = [ordinaryCall(ctx)];
      if (chance(rng, 0.3)) calls.push(ordinaryCall(ctx));
      builder.step(user, { ...(chance(rng, 0.4) ? { reasoning: pick(rng, REASONING) } : {}), ...(chance(rng, 0.3) ? { text: pick(rng, INTERIM) } : {}), calls });
    }
    if (todos.length && e === options.exchanges - 1) {
      todos = advance(rng, todos);
      builder.step(user, { calls: [todowriteCall(rng, todos)] });
    }
    builder.step(user, { text: pick(rng, ANSWERS) });
  }
}
