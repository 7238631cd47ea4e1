/**
 * Generates one OpenCode session: exchanges (a user message, then 1..N assistant "steps", each one assistant
 * message whose parentID is the user message) with step-start, reasoning, text, tool, step-finish and patch
 * parts, sub-agent child sessions for task calls, todos, failures and an optional in-flight ending.
 * The data shapes and key orders copy rows written by real OpenCode 1.18.33 (opencode.md §6, observed).
 */
import { base62, chance, geometric, hex, int, logNormalInt, pick, sample } from './random.js';
import type { Rng } from './random.js';
import { MODELS, SLUG_WORDS, slugFrom, VERSIONS_BY_AGE } from './catalog.js';
import type { ModelInfo, Stack } from './catalog.js';
import type { IdFactory } from './ids.js';
import { addUsage, emptyUsage } from './records.js';
import type { MessageRow, PartRow, SessionKind, SessionRow, Sink, Usage } from './records.js';
import { absolute, buildToolCall } from './tools.js';
import type { FileDiff, TodoItem, ToolCall, ToolContext } from './tools.js';
import { phrase, slice, textPools } from './text.js';
import { messageError, usageFor } from './usage.js';

export interface ProjectInfo {
  id: string;
  worktree: string;
  stack: Stack;
}

/** Shared state of one generator run. */
export interface World {
  ids: IdFactory;
  sink: Sink;
  /** No timestamp may exceed this. */
  endTime: number;
  windowStart: number;
  home: string;
  /** `time.created` of every original message, kept unique so a (time, tokens) key identifies fork copies. */
  usedTimes: Set<number>;
}

export interface SessionSpec {
  kind: SessionKind;
  depth: number;
  parentID: string | null;
  forkOf: string | null;
  project: ProjectInfo;
  directory: string;
  path: string;
  agent: string;
  model: ModelInfo;
  title: string;
  start: number;
  permission: unknown[] | null;
  /** May call the task tool (spawn children). */
  canSpawn: boolean;
  /** End with a step still running: 'live' (recent) or 'stale' (a crashed process). */
  cut: 'none' | 'live' | 'stale';
  keepTranscript: boolean;
  /** May be archived some time after it ends. */
  archivable: boolean;
  /** Forks start without agent/model until their first own prompt. */
  deferAgentModel: boolean;
}

export interface TranscriptEntry {
  message: MessageRow;
  parts: PartRow[];
}

export function versionAt(world: World, time: number): string {
  const age = (time - world.windowStart) / Math.max(1, world.endTime - world.windowStart);
  return VERSIONS_BY_AGE[Math.min(VERSIONS_BY_AGE.length - 1, Math.max(0, Math.floor(age * VERSIONS_BY_AGE.length)))] ?? '1.18.33';
}

const PROMPT_STARTS = [
  'Fix', 'Add', 'Refactor', 'Why does', 'Write tests for', 'Explain', 'Update', 'Remove', 'Investigate', 'Optimize',
  'Migrate', 'Document', 'Implement', 'Review', 'Can you check',
];

export class SessionRunner {
  readonly id: string;
  readonly row: SessionRow;
  t: number;
  ended = false;
  /** Ended with a step still running (an in-flight message and part are in the database). */
  cut = false;
  /** Reached the end of the time window between steps; nothing is left running. */
  stopped = false;
  lastText = '';
  readonly transcript: TranscriptEntry[] = [];
  /** Tokens of conversation the next step re-sends (cached or not). */
  private context = 0;
  /** New tokens (prompt, tool results) the next step sends for the first time. */
  private pendingFresh = 0;
  private steps = 0;
  private snapshot: string;
  private todos: TodoItem[] = [];
  private todoTime = 0;
  private readonly files = new Set<string>();
  private additions = 0;
  private deletions = 0;
  private active = false;
  /** Time of the latest record written (the session's time_updated). */
  lastWrite = 0;
  private readonly tool: ToolContext;

  constructor(private readonly world: World, private readonly spec: SessionSpec, private readonly rng: Rng) {
    this.t = spec.start;
    this.id = world.ids.descending('ses', spec.start);
    this.snapshot = hex(rng, 40);
    this.tool = { rng, home: world.home, root: spec.project.worktree === '/' ? spec.directory : spec.project.worktree, cwd: spec.directory, stack: spec.project.stack };
    this.row = {
      id: this.id, projectID: spec.project.id, parentID: spec.parentID, slug: slugFrom(int(rng, 0, SLUG_WORDS.adjectives - 1), int(rng, 0, SLUG_WORDS.nouns - 1)),
      directory: spec.directory, path: spec.path, title: spec.title, version: versionAt(world, spec.start), summary: null,
      usage: emptyUsage(), permission: spec.permission, agent: spec.deferAgentModel ? null : spec.agent,
      model: spec.deferAgentModel ? null : { id: spec.model.modelID, providerID: spec.model.providerID, variant: spec.model.variant },
      timeCreated: spec.start, timeUpdated: spec.start, timeArchived: null, kind: spec.kind, depth: spec.depth,
      forkOf: spec.forkOf, inFlight: 'none',
    };
    world.sink.session(this.row, false);
  }

  /** Latest time a step may still be running at and complete before the end of the window. */
  private get limit(): number {
    return this.world.endTime - 5_000;
  }

  /** Advances the clock by at least 1 ms and returns it. */
  private tick(ms: number): number {
    this.t += Math.max(1, Math.round(ms));
    return this.t;
  }

  private messageTime(ms: number): number {
    let time = this.tick(ms);
    while (this.world.usedTimes.has(time)) time = this.tick(1);
    this.world.usedTimes.add(time);
    return time;
  }

  private emitMessage(row: MessageRow, update: boolean): void {
    this.active = true;
    this.lastWrite = Math.max(this.lastWrite, row.timeUpdated);
    this.world.sink.message(row, update);
    if (!this.spec.keepTranscript) return;
    if (!update) this.transcript.push({ message: row, parts: [] });
    else {
      const entry = this.transcript.find((e) => e.message.id === row.id);
      if (entry) entry.message = row;
    }
  }

  private emitPart(row: PartRow): void {
    this.lastWrite = Math.max(this.lastWrite, row.timeUpdated);
    this.world.sink.part(row);
    if (this.spec.keepTranscript) this.transcript.at(-1)?.parts.push(row);
  }

  private part(messageID: string, created: number, updated: number, data: Record<string, unknown>, risk: PartRow['risk'] = null): void {
    const id = this.world.ids.ascending('prt', created);
    this.emitPart({ id, messageID, sessionID: this.id, timeCreated: created, timeUpdated: updated, data, copy: false, risk });
  }

  /** Runs `count` exchanges (stops early at the end of the window or after an in-flight cut). */
  exchanges(count: number, firstPrompt?: string): void {
    for (let i = 0; i < count && !this.cut && !this.stopped; i++) {
      if (this.active) {
        this.tick(chance(this.rng, 0.04) ? int(this.rng, 2 * 3_600_000, 3 * 86_400_000) : logNormalInt(this.rng, 90_000, 1.3, 3000, 6 * 3_600_000));
      }
      if (this.t > this.world.endTime - 120_000) break;
      if (this.context > 120_000 || (this.context > 60_000 && chance(this.rng, 0.05))) this.compaction();
      // A session meant to end mid-step does so in its last exchange, or in the last one that fits the window.
      const last = i === count - 1 || (this.spec.cut !== 'none' && this.world.endTime - this.t < 20 * 60_000);
      this.exchange(i === 0 ? firstPrompt : undefined, last && this.spec.cut !== 'none');
    }
  }

  private userMessage(agent: string, parts: Array<Record<string, unknown>>): MessageRow {
    const created = this.messageTime(int(this.rng, 1, 20));
    const id = this.world.ids.ascending('msg', created);
    const data = {
      role: 'user', time: { created }, agent, model: { providerID: this.spec.model.providerID, modelID: this.spec.model.modelID },
      summary: { diffs: [] as FileDiff[] },
    };
    const row: MessageRow = { id, sessionID: this.id, timeCreated: created, timeUpdated: created, data, copy: false };
    this.emitMessage(row, false);
    for (const part of parts) {
      const at = this.tick(int(this.rng, 1, 6));
      this.part(id, at, at + int(this.rng, 0, 3), part);
    }
    return row;
  }

  private prompt(): string {
    const { rng } = this;
    const head = `${pick(rng, PROMPT_STARTS)} ${phrase(rng, int(rng, 3, 12)).toLowerCase()}`;
    if (chance(rng, 0.05)) return `${head}\n\n\`\`\`\n${slice(textPools().log, rng, logNormalInt(rng, 3000, 1, 200, 40_000))}\`\`\``;
    return chance(rng, 0.45) ? `${head}. ${slice(textPools().prose, rng, logNormalInt(rng, 250, 1, 20, 4000))}` : head;
  }

  private userParts(text: string): Array<Record<string, unknown>> {
    const parts: Array<Record<string, unknown>> = [{ type: 'text', text }];
    if (chance(this.rng, 0.05)) {
      const rel = `${pick(this.rng, this.spec.project.stack.dirs)}/${phrase(this.rng, 1).toLowerCase()}.${pick(this.rng, this.spec.project.stack.exts)}`;
      const abs = absolute(this.tool.root, rel);
      parts.push({ type: 'text', synthetic: true, text: `Called the Read tool with the following input: {"filePath":"${abs}"}` });
      parts.push({ type: 'file', mime: 'text/plain', filename: rel, url: `file://${abs}`, source: { type: 'file', path: abs, text: { value: `@${rel}`, start: 0, end: rel.length + 1 } } });
    } else if (chance(this.rng, 0.02)) {
      parts.push({ type: 'agent', name: 'explore', source: { value: '@explore', start: 0, end: 8 } });
    }
    return parts;
  }

  private compaction(): void {
    const user = this.userMessage(this.row.agent ?? this.spec.agent, [{ type: 'compaction', auto: true }]);
    const summary = slice(textPools().prose, this.rng, logNormalInt(this.rng, 2500, 0.6, 300, 20_000));
    this.step(user.id, { last: true, cutAt: null, compaction: summary });
    this.context = int(this.rng, 6000, 14_000);
    this.pendingFresh = 0;
    this.finishUser(user, []);
  }

  private finishUser(user: MessageRow, diffs: FileDiff[]): void {
    const data = { ...user.data, summary: { diffs } };
    this.emitMessage({ ...user, data, timeUpdated: this.tick(int(this.rng, 20, 400)) }, true);
  }

  private exchange(prompt: string | undefined, cutThisOne: boolean): void {
    const { rng } = this;
    if (this.spec.deferAgentModel && this.row.agent === null) {
      this.row.agent = this.spec.agent;
      this.row.model = { id: this.spec.model.modelID, providerID: this.spec.model.providerID, variant: this.spec.model.variant };
    }
    const text = prompt ?? this.prompt();
    const user = this.userMessage(this.spec.agent, this.userParts(text));
    this.pendingFresh += text.length / 4;
    const steps = 1 + Math.min(29, geometric(rng, this.spec.kind === 'child' ? 3 : 2.4));
    const errorAt = !cutThisOne && chance(rng, 0.015) ? int(rng, 0, steps - 1) : -1;
    const diffs: FileDiff[] = [];
    for (let s = 0; s < steps && !this.cut && !this.stopped; s++) {
      const lastStep = s === steps - 1;
      const cutAt = cutThisOne && lastStep ? pick(rng, ['text', 'reasoning', 'tool-running', 'tool-pending'] as const) : null;
      const outcome = this.step(user.id, { last: lastStep, cutAt, error: s === errorAt, diffs });
      if (outcome === 'error') break;
    }
    if (!this.cut) this.finishUser(user, diffs);
  }

  /** One assistant step; returns 'error' when the message failed. */
  private step(
    userID: string,
    opts: { last: boolean; cutAt: 'text' | 'reasoning' | 'tool-running' | 'tool-pending' | null; error?: boolean; diffs?: FileDiff[]; compaction?: string },
  ): 'ok' | 'error' | 'cut' {
    const { rng, spec } = this;
    const model = spec.model;
    const agent = opts.compaction ? 'compaction' : this.row.agent ?? spec.agent;
    const created = this.messageTime(int(rng, 5, 80));
    if (created > this.limit) {
      this.stopped = true;
      return 'cut';
    }
    const id = this.world.ids.ascending('msg', created);
    const base = {
      parentID: userID, role: 'assistant', mode: agent, agent, path: { cwd: spec.directory, root: spec.project.worktree },
    };
    const initial: MessageRow = {
      id, sessionID: this.id, timeCreated: created, timeUpdated: created, copy: false,
      data: { ...base, cost: 0, tokens: { input: 0, output: 0, reasoning: 0, cache: { write: 0, read: 0 } }, modelID: model.modelID, providerID: model.providerID, time: { created }, ...(opts.compaction ? { summary: true } : {}) },
    };
    this.emitMessage(initial, false);
    const stepStart = this.tick(logNormalInt(rng, 600, 0.8, 50, 60_000));
    this.part(id, stepStart, stepStart + 2, { snapshot: this.snapshot, type: 'step-start' });
    let outChars = 0;
    let reasoningChars = 0;
    let newChars = 0;
    const overflow = (): boolean => this.t > this.limit;
    if ((model.reasoning && chance(rng, 0.55)) || opts.cutAt === 'reasoning') {
      const start = this.tick(int(rng, 1, 30));
      if (opts.cutAt === 'reasoning' || overflow()) return this.cutPart(id, start, { type: 'reasoning', text: '', time: { start } });
      const text = slice(textPools().prose, rng, logNormalInt(rng, 400, 1.1, 10, 30_000));
      const duration = logNormalInt(rng, 2500, 1, 50, 300_000);
      if (this.t + duration > this.limit) return this.cutPart(id, start, { type: 'reasoning', text: '', time: { start } });
      const end = this.tick(duration);
      reasoningChars = text.length;
      const meta = model.providerID === 'anthropic' ? { metadata: { anthropic: { signature: base62(rng, 88) } } } : {};
      this.part(id, start, end + int(rng, 0, 6), { type: 'reasoning', text, ...meta, time: { start, end } });
    }
    if (opts.last || chance(rng, 0.3) || opts.compaction || opts.cutAt === 'text') {
      const start = this.tick(int(rng, 1, 30));
      if (opts.cutAt === 'text' || overflow()) return this.cutPart(id, start, { type: 'text', text: '', time: { start } });
      const text = opts.compaction ?? (opts.last
        ? slice(textPools().prose, rng, logNormalInt(rng, 600, 0.9, 5, 20_000))
        : `I'll ${phrase(rng, int(rng, 4, 12)).toLowerCase()}.`);
      const duration = logNormalInt(rng, 1500, 1, 10, 120_000);
      if (this.t + duration > this.limit) return this.cutPart(id, start, { type: 'text', text: '', time: { start } });
      const end = this.tick(duration);
      outChars += text.length;
      if (opts.last) this.lastText = text;
      this.part(id, start, end + int(rng, 0, 6), { type: 'text', text, time: { start, end } });
    }
    const changed: string[] = [];
    if ((!opts.last && !opts.compaction) || opts.cutAt?.startsWith('tool')) {
      const count = 1 + (chance(rng, 0.25) ? int(rng, 1, 3) : 0);
      for (let i = 0; i < count; i++) {
        const start = this.tick(int(rng, 1, 40));
        const call = buildToolCall(this.tool, this.todos, spec.canSpawn);
        const callID = `${model.callPrefix}${base62(rng, model.callPrefix === 'call_' ? 24 : 22)}`;
        if (opts.cutAt?.startsWith('tool') || overflow() || (!call.subagent && start + call.durationMs > this.limit)) {
          return this.cutTool(id, start, callID, call, opts.cutAt === 'tool-pending');
        }
        if (call.subagent) {
          const outcome = this.runChild(call, start);
          if (outcome === 'cut') return this.cutTool(id, start, callID, call, false);
        }
        const end = call.subagent ? this.tick(int(rng, 5, 60)) : this.tick(call.durationMs);
        const aborted = opts.error === true && i === count - 1;
        this.emitTool(id, start, end, callID, call, aborted);
        outChars += JSON.stringify(call.input).length;
        newChars += call.output.length;
        if (call.todos && !call.error) { this.todos = call.todos; this.todoTime = end; }
        if (call.diff && !call.error && !aborted) {
          changed.push(absolute(this.tool.root, call.diff.file));
          opts.diffs?.push(call.diff);
          this.files.add(call.diff.file);
          this.additions += call.diff.additions;
          this.deletions += call.diff.deletions;
        }
      }
    }
    if (opts.error) {
      const error = messageError(rng, model.providerID);
      const completed = this.tick(int(rng, 5, 3000));
      this.emitMessage({ ...initial, timeUpdated: completed, data: { ...initial.data, time: { created, completed }, error } }, true);
      return 'error';
    }
    const usage = usageFor(rng, model, { previous: this.context, fresh: this.pendingFresh + 200, firstStep: this.steps === 0, output: outChars / 4 + 20, reasoning: reasoningChars / 4 });
    this.steps++;
    this.context = usage.input + usage.cacheRead + usage.cacheWrite + usage.output + usage.reasoning;
    this.pendingFresh = newChars / 4;
    const tokens = { total: usage.input + usage.output + usage.reasoning + usage.cacheRead + usage.cacheWrite, input: usage.input, output: usage.output, reasoning: usage.reasoning, cache: { write: usage.cacheWrite, read: usage.cacheRead } };
    if (changed.length) this.snapshot = hex(rng, 40);
    const finishAt = this.tick(int(rng, 1, 200));
    const reason = opts.last || opts.compaction ? 'stop' : 'tool-calls';
    this.part(id, finishAt, finishAt + int(rng, 0, 4), { reason, snapshot: this.snapshot, type: 'step-finish', tokens, cost: usage.cost });
    if (changed.length) {
      const at = this.tick(int(rng, 1, 30));
      this.part(id, at, at + int(rng, 0, 3), { type: 'patch', hash: this.snapshot, files: changed });
    }
    addUsage(this.row.usage, usage);
    const completed = this.tick(int(rng, 1, 10));
    const finalData = { ...base, cost: usage.cost, tokens, modelID: model.modelID, providerID: model.providerID, time: { created, completed }, finish: reason, ...(opts.compaction ? { summary: true } : {}) };
    this.emitMessage({ ...initial, timeUpdated: completed, data: finalData }, true);
    return 'ok';
  }

  private emitTool(messageID: string, start: number, end: number, callID: string, call: ToolCall, aborted: boolean): void {
    const error = aborted ? 'Tool execution aborted' : call.error;
    const state = error !== undefined
      ? { status: 'error', input: call.input, error, time: { start, end } }
      : { status: 'completed', input: call.input, output: call.output, metadata: call.metadata, title: call.title, time: { start, end } };
    this.part(messageID, start, end + int(this.rng, 1, 5), { type: 'tool', tool: call.tool, callID, state }, call.risk ?? null);
  }

  private runChild(call: ToolCall, start: number): 'ok' | 'cut' {
    const sub = call.subagent;
    if (!sub) return 'ok';
    const { rng, spec } = this;
    const canSpawn = spec.depth + 1 < 3 && chance(rng, spec.depth === 0 ? 0.12 : 0.06);
    const model = chance(rng, 0.85) ? spec.model : sample(rng, MODELS);
    const child = new SessionRunner(this.world, {
      kind: 'child', depth: spec.depth + 1, parentID: this.id, forkOf: null, project: spec.project, directory: spec.directory,
      path: spec.path, agent: sub.agent, model, title: `${sub.description} (@${sub.agent} subagent)`, start: start + int(rng, 5, 25),
      permission: canSpawn ? null : [{ permission: 'task', pattern: '*', action: 'deny' }], canSpawn,
      cut: spec.cut !== 'none' && chance(rng, 0.3) ? spec.cut : 'none', keepTranscript: false, archivable: false, deferAgentModel: false,
    }, rng);
    child.exchanges(1, sub.prompt);
    child.finish();
    this.t = Math.max(this.t, child.lastWrite);
    if (child.cut) return 'cut';
    call.output = `<task id="${child.id}" state="completed">\n<task_result>\n${child.lastText}\n</task_result>\n</task>`;
    call.metadata = { parentSessionId: this.id, sessionId: child.id, model: { modelID: model.modelID, providerID: model.providerID }, truncated: false };
    return 'ok';
  }

  private markCut(): 'cut' {
    this.cut = true;
    return 'cut';
  }

  private cutPart(messageID: string, start: number, data: Record<string, unknown>): 'cut' {
    this.part(messageID, start, start, data);
    return this.markCut();
  }

  private cutTool(messageID: string, start: number, callID: string, call: ToolCall, pending: boolean): 'cut' {
    const raw = JSON.stringify(call.input).slice(0, int(this.rng, 0, 40));
    const state = pending
      ? { status: 'pending', input: {}, raw }
      : { status: 'running', input: call.input, ...(call.tool === 'bash' ? { metadata: { output: '' } } : {}), time: { start } };
    this.part(messageID, start, start + 1, { type: 'tool', tool: call.tool, callID, state }, call.risk ?? null);
    return this.markCut();
  }

  /** Emits todos and the final session row. */
  finish(): void {
    const { rng, spec, row } = this;
    if (this.todos.length) this.world.sink.todos(this.id, this.todos, this.todoTime);
    row.timeUpdated = Math.max(row.timeCreated, this.lastWrite);
    row.inFlight = this.cut ? (spec.cut === 'stale' ? 'stale' : 'live') : 'none';
    const hasOwnWork = row.agent !== null;
    row.summary = hasOwnWork ? { additions: this.additions, deletions: this.deletions, files: this.files.size } : null;
    if (spec.archivable && !this.cut && this.t < this.world.endTime - 14 * 86_400_000 && chance(rng, 0.1)) {
      row.timeArchived = Math.min(this.world.endTime - 1, this.t + int(rng, 3_600_000, 10 * 86_400_000));
    }
    this.world.sink.session(row, true);
    this.ended = true;
  }

  /**
   * Forks: copies messages and their parts, as OpenCode's Session.fork does: new ascending ids made at fork
   * time, message `time_created` kept from the original, part `time_created` = copy time, data unchanged except
   * an assistant's parentID remapped to the copied user message. Copied step-finish parts count towards this
   * session's usage columns, exactly like OpenCode's projector does (the double counting of issue #31032).
   */
  copyFrom(entries: readonly TranscriptEntry[]): void {
    const idMap = new Map<string, string>();
    for (const entry of entries) {
      const at = this.tick(int(this.rng, 1, 4));
      const newID = this.world.ids.ascending('msg', at);
      idMap.set(entry.message.id, newID);
      const data: Record<string, unknown> = { ...entry.message.data };
      const parent = typeof data['parentID'] === 'string' ? idMap.get(data['parentID']) : undefined;
      if (parent) data['parentID'] = parent;
      this.emitMessage({ id: newID, sessionID: this.id, timeCreated: entry.message.timeCreated, timeUpdated: at + int(this.rng, 1, 6), data, copy: true }, false);
      for (const part of entry.parts) {
        const pat = this.tick(int(this.rng, 0, 3));
        const pid = this.world.ids.ascending('prt', pat);
        this.emitPart({ ...part, id: pid, messageID: newID, sessionID: this.id, timeCreated: pat, timeUpdated: pat + int(this.rng, 0, 4), copy: true });
        const finish = part.data['type'] === 'step-finish' ? part.data : undefined;
        if (finish) {
          const usage = usageOfFinish(finish);
          addUsage(this.row.usage, usage);
          this.context = usage.input + usage.cacheRead + usage.cacheWrite + usage.output + usage.reasoning;
          this.steps++;
        }
      }
    }
  }
}

export function usageOfFinish(data: Record<string, unknown>): Usage {
  const tokens = data['tokens'] as { input: number; output: number; reasoning: number; cache: { read: number; write: number } };
  return { cost: Number(data['cost']), input: tokens.input, output: tokens.output, reasoning: tokens.reasoning, cacheRead: tokens.cache.read, cacheWrite: tokens.cache.write };
}

