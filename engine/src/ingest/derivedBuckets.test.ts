/**
 * Incremental derive by bucket against the whole derive, on generated histories and random live changes: after
 * every round of changes, the bucketed tables must hold exactly the rows `deriveTables` computes over everything.
 */
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  DAILY_STATS_TABLE,
  DELEGATIONS_TABLE,
  EXCHANGES_TABLE,
  SESSION_STATS_TABLE,
  SESSIONS_TABLE,
  type RowOf,
  type TableName,
} from '../../../shared/src/index.js';
import { buildIpc } from '../arrow/index.js';
import { deriveTables, type DeriveInput, type MessageFacts } from '../derive/index.js';
import type { DelegationBase, SessionBase } from '../parse/index.js';
import type { MessageAggregate, SessionAggregate } from '../pipeline/index.js';
import { DerivedBuckets, type ChangedMessages } from './derivedBuckets.js';

/** A small deterministic PRNG (mulberry32), so a failure names its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface World {
  sessions: Map<string, SessionBase>;
  messages: Map<string, MessageFacts>;
  messageAggregates: Record<string, MessageAggregate>;
  sessionAggregates: Record<string, SessionAggregate>;
  delegations: DelegationBase[];
  deleted: Set<string>;
}

const DAY = 86_400_000;

function makeSession(id: string, parent: string | null, createdAt: number): SessionBase {
  return {
    id, project_id: `prj_${id.length % 3}`, directory: '/home/dev/app', title: id, slug: null, version: '1.18.33', parent_id: parent,
    agent: null, provider_id: null, model_id: null, created_at: createdAt, updated_at: createdAt + 1_000, archived_at: null,
    additions: 0, deletions: 0, files_changed: 0, is_archived: false, source: 'sqlite',
  };
}

function makeMessage(rnd: () => number, id: string, sessionId: string, role: 'user' | 'assistant', parentId: string | null, createdAt: number): MessageFacts {
  const input = Math.floor(rnd() * 1000);
  const output = Math.floor(rnd() * 300);
  return {
    id, sessionId, role, parentId, agent: rnd() < 0.5 ? 'build' : 'plan', providerId: rnd() < 0.8 ? 'anthropic' : null, modelId: rnd() < 0.5 ? 'claude' : 'gpt',
    createdAt, completedAt: role === 'assistant' ? createdAt + 500 : null, errorName: null,
    tokens: { input, output, reasoning: 0, cacheRead: 0, cacheWrite: 0, total: input + output }, cost: role === 'assistant' ? Math.round(rnd() * 1e4) / 1e6 : 0,
    chunk: 0, row: 0,
  };
}

let nextId = 0;
const newId = (prefix: string) => `${prefix}_${(nextId++).toString(36).padStart(5, '0')}`;

/** One exchange (a question and 1–3 answers) in a session; sometimes a fork copy of one from another session. */
function addExchange(rnd: () => number, world: World, sessionId: string, at: number): void {
  const question = makeMessage(rnd, newId('msg'), sessionId, 'user', null, at);
  world.messages.set(question.id, question);
  world.messageAggregates[question.id] = { toolCalls: 0, reasoningParts: 0, firstText: { id: newId('prt'), text: `ask ${question.id}` }, lastText: null };
  for (let i = 0, n = 1 + Math.floor(rnd() * 3); i < n; i++) {
    const answer = makeMessage(rnd, newId('msg'), sessionId, 'assistant', question.id, at + 1 + i);
    world.messages.set(answer.id, answer);
    world.messageAggregates[answer.id] = { toolCalls: Math.floor(rnd() * 4), reasoningParts: Math.floor(rnd() * 2), firstText: null, lastText: { id: newId('prt'), text: `say ${answer.id}` } };
  }
}

/** A fork: a new root session holding copies (same fingerprint, new ids) of another session's messages. */
function fork(world: World, from: string, at: number): void {
  const id = newId('ses');
  world.sessions.set(id, makeSession(id, null, at));
  const renamed = new Map<string, string>();
  for (const m of [...world.messages.values()].filter((m) => m.sessionId === from)) renamed.set(m.id, newId('msg'));
  for (const m of [...world.messages.values()].filter((m) => m.sessionId === from)) {
    world.messages.set(renamed.get(m.id)!, { ...m, id: renamed.get(m.id)!, sessionId: id, parentId: m.parentId ? (renamed.get(m.parentId) ?? null) : null });
  }
  // The copied task parts still name the original's sub-agent session: a delegation into another tree.
  for (const d of world.delegations.filter((d) => d.parent_session_id === from)) {
    world.delegations.push({ ...d, id: newId('prt'), parent_session_id: id, root_session_id: id, message_id: renamed.get(d.message_id) ?? d.message_id });
  }
}

function generate(rnd: () => number, roots: number): World {
  const world: World = { sessions: new Map(), messages: new Map(), messageAggregates: {}, sessionAggregates: {}, delegations: [], deleted: new Set() };
  for (let r = 0; r < roots; r++) {
    const root = newId('ses');
    const at = Math.floor(rnd() * 10 * DAY);
    world.sessions.set(root, makeSession(root, null, at));
    addExchange(rnd, world, root, at + 10);
    if (rnd() < 0.5) {
      const child = newId('ses');
      world.sessions.set(child, makeSession(child, root, at + 20));
      addExchange(rnd, world, child, at + 30);
      world.delegations.push({ id: newId('prt'), parent_session_id: root, root_session_id: root, message_id: [...world.messages.keys()].at(-1)!, child_session_id: child, child_agent: 'explore', description: 'look', status: 'completed', started_at: at + 20, ended_at: at + 40 } as DelegationBase);
    }
    world.sessionAggregates[root] = { toolCalls: Math.floor(rnd() * 9), toolErrors: 0, delegations: 0, fileReads: 1, fileWrites: 0 };
  }
  const ids = [...world.sessions.keys()];
  for (let i = 0; i < Math.ceil(roots / 5); i++) fork(world, ids[Math.floor(rnd() * ids.length)]!, 20 * DAY + i);
  return world;
}

/** Random live changes; returns the sessions whose messages, aggregates or delegations changed (what the indexer tracks). */
function mutate(rnd: () => number, world: World): Set<string> {
  const changed = new Set<string>();
  const sessions = [...world.sessions.keys()];
  const pick = () => sessions[Math.floor(rnd() * sessions.length)]!;
  for (let i = 0, n = 1 + Math.floor(rnd() * 4); i < n; i++) {
    const kind = rnd();
    const id = pick();
    if (kind < 0.3) {
      addExchange(rnd, world, id, 30 * DAY + Math.floor(rnd() * DAY));
      changed.add(id);
    } else if (kind < 0.5) {
      // An answer's usage grows (a streaming step): its fork copies stop matching, or start to.
      const mine = [...world.messages.values()].filter((m) => m.sessionId === id && m.role === 'assistant');
      const m = mine[Math.floor(rnd() * mine.length)];
      if (m) {
        world.messages.set(m.id, { ...m, tokens: { ...m.tokens, output: m.tokens.output + 5, total: m.tokens.total + 5 } });
        changed.add(id);
      }
    } else if (kind < 0.6) {
      const child = newId('ses');
      world.sessions.set(child, makeSession(child, id, 31 * DAY));
      addExchange(rnd, world, child, 31 * DAY + 5);
      changed.add(child);
    } else if (kind < 0.7) {
      world.sessions.set(id, { ...world.sessions.get(id)!, title: `renamed ${i}` });
    } else if (kind < 0.8) {
      world.deleted.add(id);
    } else if (kind < 0.9) {
      world.sessionAggregates[id] = { toolCalls: 3, toolErrors: 1, delegations: 0, fileReads: 0, fileWrites: 2 };
      changed.add(id);
    } else {
      // The fork owner changes when the original session turns out to be younger (created_at edited).
      world.sessions.set(id, { ...world.sessions.get(id)!, created_at: 40 * DAY });
    }
  }
  return changed;
}

const inputOf = (world: World): DeriveInput => ({
  sessions: [...world.sessions.values()],
  projects: [{ id: 'prj_0', worktree: '/w', vcs: 'git', name: 'zero', created_at: 0, updated_at: 0 } as RowOf<'projects'>],
  messages: [...world.messages.values()],
  messageAggregates: world.messageAggregates,
  sessionAggregates: world.sessionAggregates,
  delegations: world.delegations,
  deletedSessionIds: world.deleted,
  dayOf: (ms) => String(Math.floor(ms / DAY)),
});

const KEYS: Partial<Record<TableName, (row: Record<string, unknown>) => string>> = {
  sessions: (r) => String(r['id']),
  exchanges: (r) => String(r['id']),
  delegations: (r) => String(r['id']),
  session_stats: (r) => String(r['root_session_id']),
  daily_stats: (r) => `${String(r['day'])}|${String(r['provider_id'])}|${String(r['model_id'])}`,
};

/** Rows of IPC chunks sorted by key, with costs rounded (buckets sum daily costs in another order). */
function decoded(chunks: readonly Uint8Array[], table: TableName): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const bytes of chunks) {
    const t = tableFromIPC(bytes);
    for (let i = 0; i < t.numRows; i++) {
      const row = t.get(i)!.toJSON() as Record<string, unknown>;
      for (const [k, v] of Object.entries(row)) {
        if (typeof v === 'bigint') row[k] = Number(v);
        if (k.endsWith('cost') && typeof row[k] === 'number') row[k] = Math.round((row[k] as number) * 1e9) / 1e9;
      }
      rows.push(row);
    }
  }
  const key = KEYS[table]!;
  return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function expectSameAsWholeDerive(buckets: DerivedBuckets, world: World, changed: ReadonlySet<string> | 'all', changedMessages?: ChangedMessages): number {
  const { tables, derived, rebuilt } = buckets.derive(inputOf(world), changed, changedMessages);
  const whole = deriveTables(inputOf(world));
  const expected: Record<string, Uint8Array[]> = {
    sessions: [buildIpc(SESSIONS_TABLE, whole.sessions)],
    exchanges: [buildIpc(EXCHANGES_TABLE, whole.exchanges)],
    delegations: [buildIpc(DELEGATIONS_TABLE, whole.delegations)],
    session_stats: [buildIpc(SESSION_STATS_TABLE, whole.sessionStats)],
    daily_stats: [buildIpc(DAILY_STATS_TABLE, whole.dailyStats)],
  };
  for (const table of Object.keys(KEYS) as TableName[]) {
    expect(decoded(tables.get(table)!, table), table).toEqual(decoded(expected[table]!, table));
  }
  expect([...derived.forkCopyIds].sort()).toEqual([...whole.forkCopyIds].sort());
  expect(derived.sessions.length).toBe(whole.sessions.length);
  return rebuilt;
}

describe('DerivedBuckets', () => {
  it.each([1, 2, 3, 4, 5])('matches the whole derive after random live changes (seed %i)', (seed) => {
    const rnd = random(seed);
    const world = generate(rnd, 60);
    const buckets = new DerivedBuckets(16);
    expect(expectSameAsWholeDerive(buckets, world, 'all')).toBe(16);
    let partial = 0;
    let held = new Map(world.messages);
    for (let round = 0; round < 12; round++) {
      const changed = mutate(rnd, world);
      // Every other round names the changed messages, as the indexer does; the others leave the derive to find them.
      const ids = [...world.messages.keys()].filter((id) => world.messages.get(id) !== held.get(id));
      const hint = round % 2 ? { ids, get: (id: string) => world.messages.get(id) } : undefined;
      held = new Map(world.messages);
      if (expectSameAsWholeDerive(buckets, world, changed, hint) < 16) partial++;
    }
    // The point of the buckets: most rounds recompute only some of them.
    expect(partial).toBeGreaterThan(6);
  });

  it('recomputes nothing when nothing changed', () => {
    const world = generate(random(9), 30);
    const buckets = new DerivedBuckets(16);
    buckets.derive(inputOf(world), 'all');
    expect(expectSameAsWholeDerive(buckets, world, new Set())).toBe(0);
  });

  it('recomputes the old and the new bucket of a session that moves to another tree', () => {
    const world = generate(random(11), 30);
    const buckets = new DerivedBuckets(16);
    buckets.derive(inputOf(world), 'all');
    const [a, b] = [...world.sessions.values()].filter((s) => s.parent_id === null);
    world.sessions.set(a!.id, { ...a!, parent_id: b!.id });
    expect(expectSameAsWholeDerive(buckets, world, new Set())).toBeGreaterThan(0);
  });
});
