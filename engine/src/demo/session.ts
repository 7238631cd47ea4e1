/**
 * Builds one OpenCode session the way OpenCode records it: a user message, then assistant "steps" whose
 * parentID is that user message, each with step-start, optional reasoning and text, tool parts and a
 * step-finish carrying the step's tokens and cost. Task calls run a sub-agent session in between; forks copy
 * another session's messages as OpenCode's Session.fork does.
 */
import type { DemoModel, DemoStack } from './catalog.js';
import { addUsage, DEMO_TITLE_PREFIX, emptyUsage, roundCost, type DemoDataset, type DemoMessage, type DemoSession, type DemoTodo, type Usage } from './dataset.js';
import { base62, hex, int, type IdFactory, type Rng } from './random.js';
import type { ToolCall } from './tools.js';

export interface DemoWorld {
  readonly ids: IdFactory;
  readonly dataset: DemoDataset;
}

export interface SessionSpec {
  readonly projectId: string;
  readonly worktree: string;
  readonly stack: DemoStack;
  readonly title: string;
  readonly agent: string;
  readonly model: DemoModel;
  readonly parentId: string | null;
  readonly start: number;
  readonly version: string;
  readonly slug: string;
}

/** A task call: the sub-agent session runs while the call is in progress. */
export interface Delegation {
  readonly description: string;
  readonly prompt: string;
  readonly agent: 'general' | 'explore';
  readonly run: (child: SessionBuilder) => void;
}

export interface StepPlan {
  readonly reasoning?: string;
  readonly text?: string;
  readonly calls?: ReadonlyArray<ToolCall | Delegation>;
  /** The provider failed mid-step: the message records this error and no finish. */
  readonly error?: Record<string, unknown>;
}

function usageFor(rng: Rng, model: DemoModel, previous: number, fresh: number, output: number, reasoning: number): Usage {
  let input = previous + fresh;
  let cacheRead = 0;
  let cacheWrite = 0;
  if (model.cache === 'anthropic') {
    input = int(rng, 1, 12);
    cacheRead = previous;
    cacheWrite = fresh;
  } else if (model.cache === 'openai') {
    cacheRead = Math.floor(previous / 1024) * 1024;
    input = previous + fresh - cacheRead;
  }
  const reasoningTokens = model.reasoning ? reasoning : 0;
  const p = model.price;
  const cost = roundCost((input * p.input + (output + reasoningTokens) * p.output + cacheRead * p.cacheRead + cacheWrite * p.cacheWrite) / 1e6);
  return { cost, input, output, reasoning: reasoningTokens, cacheRead, cacheWrite };
}

const tokensOf = (u: Usage) => ({ total: u.input + u.output + u.reasoning + u.cacheRead + u.cacheWrite, input: u.input, output: u.output, reasoning: u.reasoning, cache: { write: u.cacheWrite, read: u.cacheRead } });

export class SessionBuilder {
  readonly session: DemoSession;
  t: number;
  /** The final text of the last step: what a parent's task call returns. */
  lastText = '';
  private context = 0;
  private fresh = 0;
  private snapshot: string;
  private todos: readonly DemoTodo[] = [];
  private todoTime = 0;
  private readonly files = new Set<string>();
  private additions = 0;
  private deletions = 0;

  constructor(private readonly world: DemoWorld, readonly spec: SessionSpec, private readonly rng: Rng) {
    this.t = spec.start;
    this.snapshot = hex(rng, 40);
    this.session = {
      id: world.ids.descending('ses', spec.start), projectId: spec.projectId, parentId: spec.parentId, slug: spec.slug,
      directory: spec.worktree, title: spec.title, version: spec.version, agent: spec.agent,
      model: { id: spec.model.modelID, providerID: spec.model.providerID, variant: spec.model.variant },
      permission: spec.parentId ? [{ permission: 'task', pattern: '*', action: 'deny' }] : null,
      timeCreated: spec.start, timeUpdated: spec.start, summary: null, usage: emptyUsage(),
    };
    world.dataset.sessions.push(this.session);
  }

  private tick(ms: number): number {
    this.t += Math.max(1, Math.round(ms));
    return this.t;
  }

  private part(messageId: string, start: number, end: number, data: Record<string, unknown>): void {
    this.world.dataset.parts.push({ id: this.world.ids.ascending('prt', start), messageId, sessionId: this.session.id, timeCreated: start, timeUpdated: end, data });
  }

  /** Waits like a person between two prompts. */
  pause(minMs: number, maxMs: number): void {
    this.tick(int(this.rng, minMs, maxMs));
  }

  /** A user prompt; returns the message id the following steps answer. */
  user(text: string): string {
    const created = this.tick(int(this.rng, 1000, 4000));
    const id = this.world.ids.ascending('msg', created);
    const { model, agent } = this.spec;
    const data = { role: 'user', time: { created }, agent, model: { providerID: model.providerID, modelID: model.modelID }, summary: { diffs: [] } };
    this.world.dataset.messages.push({ id, sessionId: this.session.id, timeCreated: created, timeUpdated: created + 1, data });
    this.part(id, this.tick(3), this.t + 1, { type: 'text', text });
    this.fresh += Math.round(text.length / 4);
    return id;
  }

  /** One assistant step answering `userId`. */
  step(userId: string, plan: StepPlan): void {
    const { rng, spec } = this;
    const created = this.tick(int(rng, 20, 200));
    const id = this.world.ids.ascending('msg', created);
    const base = { parentID: userId, role: 'assistant', mode: spec.agent, agent: spec.agent, path: { cwd: spec.worktree, root: spec.worktree } };
    const message: DemoMessage = { id, sessionId: this.session.id, timeCreated: created, timeUpdated: created, data: {} };
    this.world.dataset.messages.push(message);
    const stepStart = this.tick(int(rng, 300, 2500));
    this.part(id, stepStart, stepStart + 2, { type: 'step-start', snapshot: this.snapshot });
    if (plan.error) {
      const completed = this.tick(int(rng, 500, 4000));
      message.timeUpdated = completed;
      message.data = { ...base, cost: 0, tokens: tokensOf(emptyUsage()), modelID: spec.model.modelID, providerID: spec.model.providerID, time: { created, completed }, error: plan.error };
      return;
    }
    let output = 20;
    let reasoning = 0;
    if (plan.reasoning && spec.model.reasoning) {
      const start = this.tick(10);
      const end = this.tick(int(rng, 800, 6000));
      const meta = spec.model.providerID === 'anthropic' ? { metadata: { anthropic: { signature: base62(rng, 88) } } } : {};
      this.part(id, start, end + 2, { type: 'reasoning', text: plan.reasoning, ...meta, time: { start, end } });
      reasoning = Math.round(plan.reasoning.length / 4) * int(rng, 2, 6);
    }
    if (plan.text) {
      const start = this.tick(10);
      const end = this.tick(int(rng, 400, 5000));
      this.part(id, start, end + 2, { type: 'text', text: plan.text, time: { start, end } });
      output += Math.round(plan.text.length / 4);
      this.lastText = plan.text;
    }
    const changed: string[] = [];
    for (const planned of plan.calls ?? []) {
      const start = this.tick(int(rng, 10, 300));
      const call = 'run' in planned ? this.delegate(planned, start) : planned;
      const end = 'run' in planned ? this.tick(int(rng, 50, 400)) : this.tick(call.durationMs);
      const callID = `${spec.model.callPrefix}${base62(rng, 22)}`;
      const state = call.error !== undefined
        ? { status: 'error', input: call.input, error: call.error, time: { start, end } }
        : { status: 'completed', input: call.input, output: call.output, metadata: call.metadata, title: call.title, time: { start, end } };
      this.part(id, start, end + 3, { type: 'tool', tool: call.tool, callID, state });
      output += Math.round(JSON.stringify(call.input).length / 4);
      this.fresh += Math.round(call.output.length / 4);
      if (call.error === undefined) this.record(call, changed, end);
    }
    const usage = usageFor(rng, spec.model, this.context, this.fresh + (this.context === 0 ? int(rng, 9000, 16_000) : 200), output, reasoning);
    this.context = usage.input + usage.cacheRead + usage.cacheWrite + usage.output + usage.reasoning;
    this.fresh = 0;
    if (changed.length) this.snapshot = hex(rng, 40);
    const finish = plan.calls?.length ? 'tool-calls' : 'stop';
    const finishAt = this.tick(int(rng, 5, 150));
    this.part(id, finishAt, finishAt + 2, { type: 'step-finish', reason: finish, snapshot: this.snapshot, tokens: tokensOf(usage), cost: usage.cost });
    if (changed.length) this.part(id, this.tick(5), this.t + 1, { type: 'patch', hash: this.snapshot, files: changed });
    addUsage(this.session.usage, usage);
    const completed = this.tick(int(rng, 2, 20));
    message.timeUpdated = completed;
    message.data = { ...base, cost: usage.cost, tokens: tokensOf(usage), modelID: spec.model.modelID, providerID: spec.model.providerID, time: { created, completed }, finish };
  }

  private record(call: ToolCall, changed: string[], at: number): void {
    if (call.change) {
      changed.push(call.change.file);
      this.files.add(call.change.file);
      this.additions += call.change.additions;
      this.deletions += call.change.deletions;
    }
    if (call.todos) {
      this.todos = call.todos;
      this.todoTime = at;
    }
  }

  private delegate(plan: Delegation, start: number): ToolCall {
    const { spec } = this;
    const child = new SessionBuilder(this.world, {
      ...spec, title: `${DEMO_TITLE_PREFIX}${plan.description} (@${plan.agent} subagent)`, agent: plan.agent,
      parentId: this.session.id, start: start + int(this.rng, 5, 40), slug: `${spec.slug}-${plan.agent}`,
    }, this.rng);
    plan.run(child);
    child.finish();
    this.t = Math.max(this.t, child.t);
    return {
      tool: 'task', input: { description: plan.description, prompt: plan.prompt, subagent_type: plan.agent }, title: plan.description,
      output: `<task id="${child.session.id}" state="completed">\n<task_result>\n${child.lastText}\n</task_result>\n</task>`,
      metadata: { parentSessionId: this.session.id, sessionId: child.session.id, model: { modelID: spec.model.modelID, providerID: spec.model.providerID }, truncated: false },
      durationMs: 0,
    };
  }

  /**
   * Copies `count` messages of `source` with their parts, as OpenCode's fork does: new ids made now, message
   * time_created kept, an assistant's parentID remapped, and the copied step-finish usage added to this session.
   */
  copyFrom(source: DemoSession, count: number): void {
    const { dataset, ids } = this.world;
    const messages = dataset.messages.filter((m) => m.sessionId === source.id).slice(0, count);
    const idMap = new Map<string, string>();
    for (const message of messages) {
      const at = this.tick(2);
      const newId = ids.ascending('msg', at);
      idMap.set(message.id, newId);
      const parent = idMap.get(String(message.data['parentID']));
      dataset.messages.push({ ...message, id: newId, sessionId: this.session.id, timeUpdated: at + 1, data: { ...message.data, ...(parent ? { parentID: parent } : {}) } });
      for (const part of dataset.parts.filter((p) => p.messageId === message.id)) {
        const pat = this.tick(1);
        dataset.parts.push({ ...part, id: ids.ascending('prt', pat), messageId: newId, sessionId: this.session.id, timeCreated: pat, timeUpdated: pat + 1 });
        if (part.data['type'] === 'step-finish') this.addCopiedUsage(part.data);
      }
    }
  }

  private addCopiedUsage(finish: Record<string, unknown>): void {
    const tokens = finish['tokens'] as ReturnType<typeof tokensOf>;
    addUsage(this.session.usage, { cost: Number(finish['cost']), input: tokens.input, output: tokens.output, reasoning: tokens.reasoning, cacheRead: tokens.cache.read, cacheWrite: tokens.cache.write });
    this.context = tokens.total;
  }

  /** Closes the session: time_updated, the diff summary and the todo list. */
  finish(): void {
    this.session.timeUpdated = this.t;
    this.session.summary = { additions: this.additions, deletions: this.deletions, files: this.files.size };
    if (this.todos.length) this.world.dataset.todoLists.push({ sessionId: this.session.id, todos: this.todos, time: this.todoTime });
  }
}
