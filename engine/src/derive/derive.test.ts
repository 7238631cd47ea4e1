/**
 * The derive core on small hand-built inputs. Every expected number is worked out by hand in the comments, from
 * the accounting rules (peers.md §1) and the doc strings of the table specs (shared/src/schema/tables.ts).
 */
import { describe, expect, it } from 'vitest';
import { MESSAGES_TABLE, type RowOf } from '../../../shared/src/index.js';
import { buildIpc } from '../arrow/index.js';
import { messageRow, parseTokens, type DelegationBase, type SessionBase, type Tokens } from '../parse/index.js';
import { deriveTables, findForkCopies, localDay, readMessageFacts, type DeriveInput, type MessageFacts } from './index.js';

// ---------------------------------------------------------------------------------------------------------------
// Builders

const tok = (input = 0, output = 0, reasoning = 0, cacheRead = 0, cacheWrite = 0): Tokens => ({
  input,
  output,
  reasoning,
  cacheRead,
  cacheWrite,
  total: input + output + reasoning + cacheRead + cacheWrite,
});

function session(id: string, over: Partial<SessionBase> = {}): SessionBase {
  return {
    id,
    project_id: 'prj_1',
    directory: '/home/dev/shop',
    title: id,
    slug: null,
    version: '1.2.3',
    parent_id: null,
    agent: null,
    provider_id: null,
    model_id: null,
    created_at: 1_000,
    updated_at: 2_000,
    archived_at: null,
    additions: 0,
    deletions: 0,
    files_changed: 0,
    is_archived: false,
    source: 'sqlite',
    ...over,
  };
}

function user(id: string, sessionId: string, createdAt: number, over: Partial<MessageFacts> = {}): MessageFacts {
  return {
    id,
    sessionId,
    role: 'user',
    parentId: null,
    agent: 'build',
    providerId: 'anthropic',
    modelId: 'claude',
    createdAt,
    completedAt: null,
    errorName: null,
    tokens: tok(),
    cost: 0,
    chunk: 0,
    row: 0,
    ...over,
  };
}

function step(id: string, sessionId: string, parentId: string | null, createdAt: number, over: Partial<MessageFacts> = {}): MessageFacts {
  return {
    id,
    sessionId,
    role: 'assistant',
    parentId,
    agent: 'build',
    providerId: 'anthropic',
    modelId: 'claude',
    createdAt,
    completedAt: createdAt + 10,
    errorName: null,
    tokens: tok(),
    cost: 0,
    chunk: 0,
    row: 0,
    ...over,
  };
}

function delegation(id: string, parent: string, child: string | null, messageId: string, over: Partial<DelegationBase> = {}): DelegationBase {
  return {
    id,
    parent_session_id: parent,
    root_session_id: parent,
    child_session_id: child,
    child_agent: 'general',
    description: `task ${id}`,
    status: 'completed',
    started_at: 1,
    ended_at: 2,
    message_id: messageId,
    ...over,
  };
}

/** UTC day, so the tests do not depend on the machine's time zone. */
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function derive(input: Partial<DeriveInput>) {
  return deriveTables({
    sessions: [],
    projects: [],
    messages: [],
    messageAggregates: {},
    sessionAggregates: {},
    delegations: [],
    deletedSessionIds: new Set(),
    dayOf: utcDay,
    ...input,
  });
}

const byId = <T extends { id: string }>(rows: readonly T[], id: string): T => {
  const row = rows.find((r) => r.id === id);
  if (!row) throw new Error(`no row ${id}`);
  return row;
};

const tokenColumns = (row: Record<string, unknown>, prefix = 'tokens') =>
  ['input', 'output', 'reasoning', 'cache_read', 'cache_write', 'total'].map((k) => row[`${prefix}_${k}`]);

/** Sum of the five kinds of a row, to check the total against. */
const kindsSum = (row: Record<string, unknown>, prefix = 'tokens') =>
  ['input', 'output', 'reasoning', 'cache_read', 'cache_write'].reduce((sum, k) => sum + (row[`${prefix}_${k}`] as number), 0);

const sum = <T>(rows: readonly T[], pick: (row: T) => number) => rows.reduce((s, r) => s + pick(r), 0);

// ---------------------------------------------------------------------------------------------------------------

describe('token accounting', () => {
  // One turn: u1 answered by three steps, plus noise that must not count.
  //   a1: 10 in, 20 out, 5 reasoning, 1000 cache read, 100 cache write = 1135, cost 0.25
  //   a2:  3 in,  4 out, 0 reasoning, 2000 cache read,   0 cache write = 2007, cost 0   → zero-cost step
  //   a3: no tokens, cost 0                                                             → not a zero-cost step
  // Session: input 13, output 24, reasoning 5, cache read 3000, cache write 100, total 3142, cost 0.25.
  const messages = [
    user('u1', 'S', 100, { tokens: tok(999, 999), cost: 9 }), // a user message's tokens and cost are not usage
    step('a1', 'S', 'u1', 110, { tokens: tok(10, 20, 5, 1000, 100), cost: 0.25 }),
    step('a2', 'S', 'u1', 160, { tokens: tok(3, 4, 0, 2000, 0), cost: 0 }),
    step('a3', 'S', 'u1', 210, { tokens: tok(), cost: 0 }),
    step('x1', 'S', null, 220, { role: 'system', tokens: tok(50), cost: 1 }), // neither user nor assistant
  ];
  const out = derive({ sessions: [session('S')], messages });
  const s = byId(out.sessions, 'S');

  it('sums every token kind over assistant steps only, and total is the sum of the five kinds', () => {
    expect(tokenColumns(s)).toEqual([13, 24, 5, 3000, 100, 3142]);
    expect(s.tokens_total).toBe(kindsSum(s));
  });

  it('reports the recorded cost, never a price of its own', () => {
    expect(s.cost).toBe(0.25);
  });

  it('counts steps that used tokens but recorded cost 0 as zero_cost_steps, not steps without tokens', () => {
    expect(s.zero_cost_steps).toBe(1);
  });

  it('counts user and assistant messages by role', () => {
    expect(s.user_messages).toBe(1);
    expect(s.assistant_messages).toBe(3);
  });

  it('a total read from an OpenCode token record includes cache read and write (peers.md §1)', () => {
    const tokens = parseTokens({ input: 10, output: 20, reasoning: 5, cache: { read: 1000, write: 100 } });
    expect(tokens.total).toBe(1135);
    const one = derive({ sessions: [session('S')], messages: [step('a', 'S', null, 1, { tokens, cost: 0.5 })] });
    expect(tokenColumns(byId(one.sessions, 'S'))).toEqual([10, 20, 5, 1000, 100, 1135]);
  });

  it('exchanges and daily_stats use the same accounting as sessions', () => {
    const exchange = byId(out.exchanges, 'u1');
    expect(tokenColumns(exchange)).toEqual([13, 24, 5, 3000, 100, 3142]);
    expect(exchange.cost).toBe(0.25);
    expect(out.dailyStats).toHaveLength(1);
    expect(tokenColumns(out.dailyStats[0]!)).toEqual([13, 24, 5, 3000, 100, 3142]);
    expect(out.dailyStats[0]!.cost).toBe(0.25);
    expect(out.dailyStats[0]!.assistant_messages).toBe(3);
  });
});

describe('readMessageFacts', () => {
  it('reads back what the messages table stores, with int64 cells as numbers', () => {
    const row = messageRow(
      { id: 'msg_a', sessionId: 'ses_1', rootSessionId: 'ses_1' },
      {
        role: 'assistant',
        parentID: 'msg_u',
        agent: 'build',
        providerID: 'anthropic',
        modelID: 'claude',
        time: { created: 1_700_000_000_000, completed: 1_700_000_000_500 },
        error: { name: 'APIError' },
        tokens: { input: 10, output: 20, reasoning: 5, cache: { read: 1000, write: 100 } },
        cost: 0.5,
      },
      'json',
    );
    const other = messageRow({ id: 'msg_u', sessionId: 'ses_1', rootSessionId: 'ses_1' }, { role: 'user', time: { created: 5 } }, 'json');
    const facts = readMessageFacts([buildIpc(MESSAGES_TABLE, [row]), buildIpc(MESSAGES_TABLE, [other])]);
    expect(facts).toEqual([
      {
        id: 'msg_a',
        sessionId: 'ses_1',
        role: 'assistant',
        parentId: 'msg_u',
        agent: 'build',
        providerId: 'anthropic',
        modelId: 'claude',
        createdAt: 1_700_000_000_000,
        completedAt: 1_700_000_000_500,
        errorName: 'APIError',
        tokens: tok(10, 20, 5, 1000, 100),
        cost: 0.5,
        chunk: 0,
        row: 0,
      },
      expect.objectContaining({ id: 'msg_u', role: 'user', parentId: null, completedAt: null, createdAt: 5, tokens: tok(), chunk: 1, row: 0 }),
    ]);
  });
});

describe('findForkCopies', () => {
  // "ses_fork" sorts before "ses_orig" by id, so only the creation time can make the original the owner.
  const created = new Map([
    ['ses_orig', 1_000],
    ['ses_fork', 5_000],
  ]);
  const original = [user('uo', 'ses_orig', 100), step('ao', 'ses_orig', 'uo', 110, { tokens: tok(10, 20, 0, 300), cost: 0.5 })];
  // The fork's copies have new ids and new parent ids, and the same role, time, tokens, cost, model and agent.
  const copies = [user('uf', 'ses_fork', 100), step('af', 'ses_fork', 'uf', 110, { tokens: tok(10, 20, 0, 300), cost: 0.5 })];

  it('marks the messages of the later session as copies, whichever comes first in the input', () => {
    expect(findForkCopies([...original, ...copies], created)).toEqual(new Set(['uf', 'af']));
    expect(findForkCopies([...copies, ...original], created)).toEqual(new Set(['uf', 'af']));
  });

  it('leaves the earliest session the owner along a chain of forks', () => {
    const chain = new Map([...created, ['ses_fork2', 9_000]]);
    const again = [user('ug', 'ses_fork2', 100), step('ag', 'ses_fork2', 'ug', 110, { tokens: tok(10, 20, 0, 300), cost: 0.5 })];
    expect(findForkCopies([...again, ...copies, ...original], chain)).toEqual(new Set(['uf', 'af', 'ug', 'ag']));
  });

  it('breaks a tie on creation time by session id, and treats a session it does not know as the newest', () => {
    const tie = new Map([
      ['ses_b', 1_000],
      ['ses_a', 1_000],
    ]);
    expect(findForkCopies([step('b', 'ses_b', 'u', 5), step('a', 'ses_a', 'v', 5)], tie)).toEqual(new Set(['b']));
    expect(findForkCopies([step('x', 'ses_unknown', 'u', 5), step('a', 'ses_a', 'v', 5)], tie)).toEqual(new Set(['x']));
  });

  it('does not treat messages that share tokens and cost but not the creation time as copies', () => {
    const later = step('al', 'ses_fork', 'uf', 111, { tokens: tok(10, 20, 0, 300), cost: 0.5 });
    expect(findForkCopies([...original, later], created)).toEqual(new Set());
  });

  it('does not treat messages with another model, agent or cost as copies', () => {
    const base = { tokens: tok(10, 20, 0, 300), cost: 0.5 };
    expect(findForkCopies([...original, step('m', 'ses_fork', 'uf', 110, { ...base, modelId: 'gpt' })], created)).toEqual(new Set());
    expect(findForkCopies([...original, step('g', 'ses_fork', 'uf', 110, { ...base, agent: 'plan' })], created)).toEqual(new Set());
    expect(findForkCopies([...original, step('c', 'ses_fork', 'uf', 110, { ...base, cost: 0.25 })], created)).toEqual(new Set());
  });

  it('never marks a message repeated inside one session', () => {
    const twice = [step('a1', 'ses_orig', 'uo', 110, { cost: 1 }), step('a2', 'ses_orig', 'uo', 110, { cost: 1 })];
    expect(findForkCopies(twice, created)).toEqual(new Set());
  });

  it('marks every copy of a fingerprint the owner holds twice, whatever the input order', () => {
    // Two identical steps in the original, both copied into the fork. Listing the fork first used to leave the
    // second copy unmarked (it was compared with the first copy, in its own session, and skipped).
    const same = { tokens: tok(1, 1), cost: 1 };
    const orig = [step('o1', 'ses_orig', 'uo', 110, same), step('o2', 'ses_orig', 'uo', 110, same)];
    const fork = [step('f1', 'ses_fork', 'uf', 110, same), step('f2', 'ses_fork', 'uf', 110, same)];
    expect(findForkCopies([...fork, ...orig], created)).toEqual(new Set(['f1', 'f2']));
    expect(findForkCopies([...orig, ...fork], created)).toEqual(new Set(['f1', 'f2']));
    expect(findForkCopies([fork[0]!, orig[0]!, fork[1]!, orig[1]!], created)).toEqual(new Set(['f1', 'f2']));
  });
});

describe('fork copies in the derived tables', () => {
  // ses_orig: uo → ao (330 tokens, $0.5).
  // ses_fork: copies uf → af of that turn, then a turn of its own: un → an (3 tokens, $0.125).
  // Usage: ses_orig 330 / $0.5, ses_fork 3 / $0.125; everything together 333 / $0.625 (summing all rows: 663).
  const sessions = [session('ses_orig', { created_at: 1_000 }), session('ses_fork', { created_at: 5_000, updated_at: 7_000 })];
  const messages = [
    user('uf', 'ses_fork', 100),
    step('af', 'ses_fork', 'uf', 110, { tokens: tok(10, 20, 0, 300), cost: 0.5 }),
    user('un', 'ses_fork', 6_000),
    step('an', 'ses_fork', 'un', 6_010, { tokens: tok(1, 2), cost: 0.125 }),
    user('uo', 'ses_orig', 100),
    step('ao', 'ses_orig', 'uo', 110, { tokens: tok(10, 20, 0, 300), cost: 0.5 }),
  ];
  const out = derive({ sessions, messages });

  it('reports the copies', () => {
    expect(out.forkCopyIds).toEqual(new Set(['uf', 'af']));
  });

  it('leaves the copies out of the fork’s usage and counts them in its fork_copies', () => {
    const fork = byId(out.sessions, 'ses_fork');
    expect([fork.tokens_total, fork.cost, fork.user_messages, fork.assistant_messages, fork.fork_copies]).toEqual([3, 0.125, 1, 1, 2]);
    const orig = byId(out.sessions, 'ses_orig');
    expect([orig.tokens_total, orig.cost, orig.user_messages, orig.assistant_messages, orig.fork_copies]).toEqual([330, 0.5, 1, 1, 0]);
  });

  it('counts each real step once in every total', () => {
    expect(sum(out.sessions, (s) => s.tokens_total)).toBe(333);
    expect(sum(out.sessions, (s) => s.cost)).toBe(0.625);
    expect(sum(out.dailyStats, (d) => d.tokens_total)).toBe(333);
    expect(sum(out.dailyStats, (d) => d.cost)).toBe(0.625);
    expect(sum(out.dailyStats, (d) => d.assistant_messages)).toBe(2);
    expect(sum(out.sessionStats, (s) => s.tokens_total)).toBe(333);
  });

  it('gives a copied user turn no exchange', () => {
    expect(out.exchanges.map((e) => e.id).sort()).toEqual(['un', 'uo']);
    expect(out.sessionStats.find((s) => s.root_session_id === 'ses_fork')?.exchanges).toBe(1);
  });

  it('does not take the fork’s agent or model from a copy', () => {
    const forkOnlyCopies = derive({
      sessions: [session('ses_orig', { created_at: 1_000 }), session('ses_fork', { created_at: 5_000 })],
      messages: [step('ao', 'ses_orig', null, 110, { agent: 'build' }), step('af', 'ses_fork', null, 110, { agent: 'build' })],
    });
    expect(byId(forkOnlyCopies.sessions, 'ses_fork').agent).toBeNull();
    expect(byId(forkOnlyCopies.sessions, 'ses_orig').agent).toBe('build');
  });

  it('keeps both of two identical messages of one session in its usage', () => {
    const twice = derive({
      sessions: [session('S')],
      messages: [step('a1', 'S', null, 5, { tokens: tok(2, 3), cost: 0.25 }), step('a2', 'S', null, 5, { tokens: tok(2, 3), cost: 0.25 })],
    });
    const s = byId(twice.sessions, 'S');
    expect([s.tokens_total, s.cost, s.assistant_messages, s.fork_copies]).toEqual([10, 0.5, 2, 0]);
  });
});

describe('session tree', () => {
  it('gives children and grandchildren their root and depth', () => {
    const out = derive({
      sessions: [session('G', { parent_id: 'C' }), session('R'), session('C', { parent_id: 'R' })],
    });
    expect(out.sessions.map((s) => [s.id, s.root_id, s.depth])).toEqual([
      ['G', 'R', 2],
      ['R', 'R', 0],
      ['C', 'R', 1],
    ]);
    expect(out.tree.get('G')).toEqual({ rootId: 'R', depth: 2 });
  });

  it('makes a child whose parent is missing the root of its own subtree', () => {
    const out = derive({ sessions: [session('O', { parent_id: 'ses_gone' }), session('OC', { parent_id: 'O' })] });
    expect(out.sessions.map((s) => [s.id, s.parent_id, s.root_id, s.depth])).toEqual([
      ['O', 'ses_gone', 'O', 0],
      ['OC', 'O', 'O', 1],
    ]);
    expect(out.sessionStats.map((s) => [s.root_session_id, s.sessions, s.max_depth])).toEqual([['O', 2, 1]]);
  });

  it('finishes on parent cycles and self-parents, putting each cycle under one root at depth 0', () => {
    const out = derive({
      sessions: [session('X', { parent_id: 'Y' }), session('Y', { parent_id: 'X' }), session('Z', { parent_id: 'Z' }), session('W', { parent_id: 'X' })],
      messages: [step('ax', 'X', null, 1, { tokens: tok(1), cost: 1 }), step('ay', 'Y', null, 1, { tokens: tok(2), cost: 2 })],
      delegations: [delegation('d', 'X', 'Y', 'ax')],
    });
    const x = byId(out.sessions, 'X');
    const y = byId(out.sessions, 'Y');
    expect(x.root_id).toBe(y.root_id);
    expect([x, y].filter((s) => s.depth === 0).map((s) => s.id)).toEqual([x.root_id]);
    expect(byId(out.sessions, 'W').root_id).toBe(x.root_id);
    expect(byId(out.sessions, 'Z')).toMatchObject({ root_id: 'Z', depth: 0 });
    const cycleStats = out.sessionStats.find((s) => s.root_session_id === x.root_id)!;
    expect([cycleStats.sessions, cycleStats.tokens_total, cycleStats.cost]).toEqual([3, 3, 3]);
    expect(out.delegations[0]!.child_tokens_total).toBe(3);
  });
});

describe('roll-ups of sub-agent sessions', () => {
  // R (root, 1000–2000) ─ C (sub-agent, 1200–1800) ─ G (sub-sub-agent, 1300–2500); Q is another root.
  //   R: ur1 → ar1  100 in, 10 out,            1000 cache read             = 1110, $0.5
  //      ur2 → ar2           5 out                                        =    5, $0  (zero-cost step)
  //   C: uc  → ac    20 in,  2 out, 1 reas.,    200 read, 10 write        =  233, $0.25
  //   G: ug  → ag     1 in,  1 out, 1 reas.,      1 read,  1 write        =    5, $0.125, completes at 2600
  //   Q: uq  → aq     2 in,  2 out                                        =    4, $1
  // Tree R: input 121, output 18, reasoning 2, cache read 1201, cache write 11, total 1353, cost 0.875.
  const sessions = [
    session('R', { created_at: 1_000, updated_at: 2_000, agent: 'plan' }),
    session('C', { parent_id: 'R', created_at: 1_200, updated_at: 1_800 }),
    session('G', { parent_id: 'C', created_at: 1_300, updated_at: 2_500 }),
    session('Q', { created_at: 3_000, updated_at: 3_500 }),
  ];
  const messages = [
    user('ur1', 'R', 1_000),
    step('ar1', 'R', 'ur1', 1_010, { completedAt: 1_100, tokens: tok(100, 10, 0, 1000), cost: 0.5 }),
    user('ur2', 'R', 1_500),
    step('ar2', 'R', 'ur2', 1_510, { completedAt: 1_600, tokens: tok(0, 5), cost: 0 }),
    user('uc', 'C', 1_200, { agent: 'general' }),
    step('ac', 'C', 'uc', 1_210, { completedAt: 1_290, agent: 'general', tokens: tok(20, 2, 1, 200, 10), cost: 0.25 }),
    user('ug', 'G', 1_300, { agent: 'explore' }),
    step('ag', 'G', 'ug', 1_310, { completedAt: 2_600, agent: 'explore', tokens: tok(1, 1, 1, 1, 1), cost: 0.125 }),
    user('uq', 'Q', 3_000),
    step('aq', 'Q', 'uq', 3_010, { completedAt: 3_100, tokens: tok(2, 2), cost: 1 }),
  ];
  const sessionAggregates = {
    R: { toolCalls: 3, toolErrors: 1, delegations: 1, fileReads: 2, fileWrites: 1 },
    C: { toolCalls: 2, toolErrors: 0, delegations: 1, fileReads: 1, fileWrites: 0 },
    G: { toolCalls: 1, toolErrors: 1, delegations: 0, fileReads: 0, fileWrites: 2 },
  };
  const delegations = [
    delegation('d1', 'R', 'C', 'ar1'),
    delegation('d2', 'C', 'G', 'ac', { root_session_id: 'C', child_agent: 'explore' }), // a stale root id in the input
    delegation('d3', 'R', null, 'msg_unknown', { status: 'running', ended_at: null }),
    delegation('d4', 'R', 'ses_missing', 'ar1'),
    delegation('d5', 'ses_lost', null, 'msg_lost', { root_session_id: 'ses_lost_root' }),
  ];
  const out = derive({ sessions, messages, sessionAggregates, delegations });

  it('keeps each session row to its own usage', () => {
    expect(out.sessions.map((s) => [s.id, s.tokens_total, s.cost, s.zero_cost_steps])).toEqual([
      ['R', 1115, 0.5, 1],
      ['C', 233, 0.25, 0],
      ['G', 5, 0.125, 0],
      ['Q', 4, 1, 0],
    ]);
  });

  it('has one session_stats row per root, covering the root and all its sub-agents', () => {
    expect(out.sessionStats.map((s) => s.root_session_id)).toEqual(['R', 'Q']);
    const r = out.sessionStats[0]!;
    expect(r).toEqual({
      root_session_id: 'R',
      sessions: 3,
      max_depth: 2,
      exchanges: 4,
      assistant_messages: 4,
      tool_calls: 6,
      tool_errors: 2,
      delegations: 2,
      file_reads: 3,
      file_writes: 3,
      tokens_input: 121,
      tokens_output: 18,
      tokens_reasoning: 2,
      tokens_cache_read: 1201,
      tokens_cache_write: 11,
      tokens_total: 1353,
      cost: 0.875,
      started_at: 1_000,
      // Last activity: G's step completes at 2600, after every session's updated_at.
      ended_at: 2_600,
    });
    expect(r.tokens_total).toBe(kindsSum(r));
    expect(out.sessionStats[1]).toMatchObject({ sessions: 1, max_depth: 0, exchanges: 1, tokens_total: 4, cost: 1, tool_calls: 0, started_at: 3_000, ended_at: 3_500 });
  });

  it('stamps the root on sub-agent exchanges', () => {
    expect(out.exchanges.map((e) => [e.id, e.session_id, e.root_session_id])).toEqual([
      ['ur1', 'R', 'R'],
      ['ur2', 'R', 'R'],
      ['uc', 'C', 'R'],
      ['ug', 'G', 'R'],
      ['uq', 'Q', 'Q'],
    ]);
  });

  it('counts sub-agent steps once in daily_stats and in the grand totals', () => {
    const grand = 1115 + 233 + 5 + 4;
    expect(sum(out.dailyStats, (d) => d.tokens_total)).toBe(grand);
    expect(sum(out.sessions, (s) => s.tokens_total)).toBe(grand);
    expect(sum(out.sessionStats, (s) => s.tokens_total)).toBe(grand);
    expect(sum(out.sessionStats, (s) => s.cost)).toBe(1.875);
  });

  it('rolls a delegation’s child usage up from the child session and its own sub-agents', () => {
    const d1 = byId(out.delegations, 'd1');
    // C + G: 21 in, 3 out, 2 reasoning, 201 read, 11 write = 238, $0.375.
    expect(tokenColumns(d1, 'child_tokens')).toEqual([21, 3, 2, 201, 11, 238]);
    expect(d1).toMatchObject({ root_session_id: 'R', parent_agent: 'build', child_agent: 'general', depth: 1, child_cost: 0.375 });
    const d2 = byId(out.delegations, 'd2');
    expect(tokenColumns(d2, 'child_tokens')).toEqual([1, 1, 1, 1, 1, 5]);
    expect(d2).toMatchObject({ root_session_id: 'R', parent_agent: 'general', child_agent: 'explore', depth: 2, child_cost: 0.125 });
  });

  it('handles delegations without a child, with a missing child, and from a missing parent', () => {
    // No child yet: depth one below the parent, no usage; parent agent from the session when the message is unknown.
    expect(byId(out.delegations, 'd3')).toMatchObject({ child_session_id: null, parent_agent: 'plan', depth: 1, child_tokens_total: 0, child_cost: 0, status: 'running', ended_at: null });
    expect(byId(out.delegations, 'd4')).toMatchObject({ child_session_id: 'ses_missing', depth: 1, child_tokens_total: 0, child_cost: 0 });
    // Parent not stored: the root the part recorded is kept.
    expect(byId(out.delegations, 'd5')).toMatchObject({ root_session_id: 'ses_lost_root', parent_agent: null, depth: 1, child_tokens_total: 0, child_cost: 0 });
  });
});

describe('exchanges', () => {
  // u1 is answered by a1 (110–150) and a2 (160–300), listed out of order; u2 gets no answer; u3's last step has no text.
  const messages = [
    user('u1', 'S', 100, { agent: 'plan', modelId: 'user-model' }),
    step('a2', 'S', 'u1', 160, { completedAt: 300, modelId: 'm2', agent: 'build', errorName: 'APIError', tokens: tok(1, 2), cost: 0.25 }),
    step('a1', 'S', 'u1', 110, { completedAt: 150, modelId: 'm1', agent: 'build', tokens: tok(10, 20, 0, 100), cost: 0.5 }),
    user('u2', 'S', 400),
    user('u3', 'S', 500),
    step('b1', 'S', 'u3', 510, { completedAt: 520 }),
    step('b2', 'S', 'u3', 530, { completedAt: 540 }),
    step('lost', 'S', 'msg_missing', 600, { tokens: tok(7), cost: 0.125 }),
  ];
  const messageAggregates = {
    u1: { toolCalls: 0, reasoningParts: 0, firstText: { id: 'p1', text: 'Fix the login bug' }, lastText: { id: 'p2', text: 'and add a test' } },
    a1: { toolCalls: 2, reasoningParts: 1, firstText: { id: 'p3', text: 'Looking' }, lastText: { id: 'p4', text: 'Reading files' } },
    a2: { toolCalls: 1, reasoningParts: 2, firstText: { id: 'p5', text: 'Done' }, lastText: { id: 'p6', text: 'Done: fixed' } },
    b1: { toolCalls: 0, reasoningParts: 0, firstText: { id: 'p7', text: 'first answer' }, lastText: { id: 'p7', text: 'first answer' } },
    b2: { toolCalls: 4, reasoningParts: 0, firstText: null, lastText: null },
  };
  const out = derive({ sessions: [session('S')], messages, messageAggregates });

  it('pairs a user message with the steps that answer it', () => {
    expect(byId(out.exchanges, 'u1')).toEqual({
      id: 'u1',
      session_id: 'S',
      root_session_id: 'S',
      agent: 'build',
      model_id: 'm1', // the first answering step, not the first in the input
      started_at: 100,
      ended_at: 300,
      duration_ms: 200,
      steps: 2,
      tool_calls: 3,
      reasoning_parts: 3,
      prompt_preview: 'Fix the login bug',
      response_preview: 'Done: fixed',
      error_name: 'APIError',
      tokens_input: 11,
      tokens_output: 22,
      tokens_reasoning: 0,
      tokens_cache_read: 100,
      tokens_cache_write: 0,
      tokens_total: 133,
      cost: 0.75,
    });
  });

  it('keeps an unanswered user turn, with no steps, end or usage', () => {
    expect(byId(out.exchanges, 'u2')).toMatchObject({ steps: 0, tool_calls: 0, ended_at: null, duration_ms: null, tokens_total: 0, cost: 0, response_preview: null, error_name: null, prompt_preview: null });
  });

  it('previews the last text answer even when the last step has no text', () => {
    expect(byId(out.exchanges, 'u3')).toMatchObject({ steps: 2, tool_calls: 4, response_preview: 'first answer', ended_at: 540, duration_ms: 40 });
  });

  it('makes exchanges only of user messages; a step answering no stored message still counts as usage', () => {
    expect(out.exchanges.map((e) => e.id)).toEqual(['u1', 'u2', 'u3']);
    expect(sum(out.exchanges, (e) => e.steps)).toBe(4);
    const s = byId(out.sessions, 'S');
    expect([s.assistant_messages, s.tokens_total, s.cost]).toEqual([5, 140, 0.875]);
    expect(out.sessionStats[0]).toMatchObject({ exchanges: 3, assistant_messages: 5 });
  });
});

describe('daily_stats', () => {
  const DAY1 = Date.UTC(2024, 0, 1, 10);
  const DAY2 = Date.UTC(2024, 0, 2, 23, 59);
  const messages = [
    user('u', 'S1', DAY1, { tokens: tok(500), cost: 5 }),
    step('a', 'S1', 'u', DAY1, { tokens: tok(10), cost: 0.25 }),
    step('b', 'S2', null, DAY1 + 1, { tokens: tok(0, 20), cost: 0.5 }),
    step('c', 'S1', 'u', DAY1 + 2, { providerId: 'openai', modelId: 'gpt', tokens: tok(5), cost: 0 }),
    step('d', 'S1', 'u', DAY2, { tokens: tok(0, 0, 0, 7), cost: 0.125 }),
    step('e', 'S1', 'u', DAY2, { providerId: null, modelId: null, tokens: tok(1) }),
  ];
  const out = derive({ sessions: [session('S1'), session('S2')], messages });

  it('sums assistant steps per day, provider and model, ordered by day then model', () => {
    expect(out.dailyStats.map((d) => [d.day, d.provider_id, d.model_id, d.sessions, d.assistant_messages, d.tokens_total, d.cost])).toEqual([
      ['2024-01-01', 'anthropic', 'claude', 2, 2, 30, 0.75],
      ['2024-01-01', 'openai', 'gpt', 1, 1, 5, 0],
      ['2024-01-02', 'anthropic', 'claude', 1, 1, 7, 0.125],
      ['2024-01-02', 'unknown', 'unknown', 1, 1, 1, 0],
    ]);
    expect(tokenColumns(out.dailyStats[0]!)).toEqual([10, 20, 0, 0, 0, 30]);
  });

  it('orders one model served by two providers by provider, whatever the input order', () => {
    const pair = [
      step('p1', 'S1', null, DAY1, { providerId: 'openrouter', modelId: 'same-model', tokens: tok(1) }),
      step('p2', 'S1', null, DAY1 + 1, { providerId: 'anthropic', modelId: 'same-model', tokens: tok(2) }),
    ];
    const keys = (list: typeof pair) => derive({ sessions: [session('S1')], messages: list }).dailyStats.map((d) => [d.provider_id, d.tokens_total]);
    expect(keys(pair)).toEqual([['anthropic', 2], ['openrouter', 1]]);
    expect(keys([...pair].reverse())).toEqual(keys(pair));
  });

  it('uses dayOf on the step’s creation time', () => {
    const days: number[] = [];
    derive({ sessions: [session('S1')], messages: [step('a', 'S1', null, 42)], dayOf: (ms) => (days.push(ms), 'D') });
    expect(days).toEqual([42]);
  });

  it('defaults to the local calendar day', () => {
    expect(localDay(new Date(2024, 0, 31, 23, 59).getTime())).toBe('2024-01-31');
    expect(localDay(new Date(2024, 11, 1, 0, 0).getTime())).toBe('2024-12-01');
  });
});

describe('session rows', () => {
  it('flags deleted sessions and keeps them with their usage', () => {
    const out = derive({
      sessions: [session('S1'), session('S2')],
      messages: [step('a', 'S2', null, 1, { tokens: tok(4), cost: 0.5 })],
      deletedSessionIds: new Set(['S2']),
    });
    expect(out.sessions.map((s) => [s.id, s.is_deleted, s.tokens_total])).toEqual([
      ['S1', false, 0],
      ['S2', true, 4],
    ]);
  });

  it('takes agent, provider and model from the session, else from its earliest assistant step', () => {
    const out = derive({
      sessions: [session('S'), session('T', { agent: 'plan', provider_id: 'openai', model_id: 'gpt' })],
      messages: [
        user('u', 'S', 1, { agent: 'user-agent' }),
        step('late', 'S', 'u', 20, { agent: 'late', providerId: 'p2', modelId: 'm2' }),
        step('early', 'S', 'u', 10, { agent: 'early', providerId: 'p1', modelId: 'm1' }),
        step('t', 'T', null, 5, { agent: 'build' }),
      ],
    });
    expect(byId(out.sessions, 'S')).toMatchObject({ agent: 'early', provider_id: 'p1', model_id: 'm1' });
    expect(byId(out.sessions, 'T')).toMatchObject({ agent: 'plan', provider_id: 'openai', model_id: 'gpt' });
  });

  it('names the project from the projects table, else from the folder of the directory', () => {
    const project: RowOf<'projects'> = { id: 'prj_1', worktree: '/w', name: 'Shop', vcs: 'git', created_at: 0, updated_at: 0, source: 'sqlite' };
    const out = derive({
      sessions: [session('A'), session('B', { project_id: 'prj_2', directory: 'C:\\work\\api\\' }), session('C', { project_id: 'prj_3', directory: null })],
      projects: [project],
    });
    expect(out.sessions.map((s) => s.project_name)).toEqual(['Shop', 'api', null]);
  });
});

describe('purity', () => {
  it('gives the same rows for the same inputs, whatever the order of the messages', () => {
    const sessions = [session('ses_orig', { created_at: 1_000 }), session('ses_fork', { created_at: 5_000 }), session('K', { parent_id: 'ses_orig', created_at: 1_500 })];
    const same = { tokens: tok(1, 1, 0, 10), cost: 0.25 };
    const messages = [
      user('uo', 'ses_orig', 100),
      step('o1', 'ses_orig', 'uo', 110, same),
      step('o2', 'ses_orig', 'uo', 110, same),
      user('uf', 'ses_fork', 100),
      step('f1', 'ses_fork', 'uf', 110, same),
      step('f2', 'ses_fork', 'uf', 110, same),
      user('uk', 'K', 1_600),
      step('ak', 'K', 'uk', 1_610, { tokens: tok(3), cost: 0.5 }),
    ];
    const forward = derive({ sessions, messages });
    const backward = derive({ sessions, messages: [...messages].reverse() });
    expect(backward.forkCopyIds).toEqual(forward.forkCopyIds);
    expect(backward.sessions).toEqual(forward.sessions);
    expect(backward.sessionStats).toEqual(forward.sessionStats);
    expect(backward.dailyStats).toEqual(forward.dailyStats);
    const sorted = (rows: RowOf<'exchanges'>[]) => [...rows].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(sorted(backward.exchanges)).toEqual(sorted(forward.exchanges));
    expect(byId(forward.sessions, 'ses_fork')).toMatchObject({ fork_copies: 3, tokens_total: 0 });
  });
});
