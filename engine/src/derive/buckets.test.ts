/** Bucketing helpers: stable buckets, the separability check, and daily rows that add up across buckets. */
import { describe, expect, it } from 'vitest';
import type { RowOf } from '../../../shared/src/index.js';
import { bucketOf, mergeDailyStats, splitByBucket } from './buckets.js';
import type { DeriveInput } from './derive.js';
import type { MessageFacts } from './messageColumns.js';
import { buildSessionTree } from './tree.js';

const message = (id: string, sessionId: string, role: string, parentId: string | null): MessageFacts => ({
  id, sessionId, role, parentId, agent: null, providerId: null, modelId: null, createdAt: 1, completedAt: null, errorName: null,
  tokens: { input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0, total: 0 }, cost: 0, chunk: 0, row: 0,
});

/** Two root sessions that land in different buckets of 4. */
function twoTrees(): { a: string; b: string } {
  for (let i = 0; ; i++) if (bucketOf('ses_a', 4) !== bucketOf(`ses_b${i}`, 4)) return { a: 'ses_a', b: `ses_b${i}` };
}

function input(messages: MessageFacts[]): DeriveInput {
  const { a, b } = twoTrees();
  const sessions = [a, b].map((id) => ({ id, parent_id: null, created_at: 1 }) as DeriveInput['sessions'][number]);
  return { sessions, projects: [], messages, messageAggregates: {}, sessionAggregates: {}, delegations: [], deletedSessionIds: new Set() };
}

describe('buckets', () => {
  it('puts a root and everything under it in one bucket, in range and the same on every call', () => {
    expect(bucketOf('ses_x', 64)).toBe(bucketOf('ses_x', 64));
    for (const id of ['a', 'ses_1', 'ses_zzzzzzzz']) expect(bucketOf(id, 7)).toBeLessThan(7);
    const sessions = [{ id: 'r', parent_id: null }, { id: 'c', parent_id: 'r' }, { id: 'g', parent_id: 'c' }];
    const tree = buildSessionTree(sessions);
    const plan = splitByBucket({ ...input([]), sessions: sessions as unknown as DeriveInput['sessions'] }, tree, new Set(), 8);
    expect(plan.bucketOfSession('g')).toBe(bucketOf('r', 8));
    expect(plan.inputs[bucketOf('r', 8)]!.sessions.map((s) => s.id)).toEqual(['r', 'c', 'g']);
    // Only the buckets asked for are split out.
    const only = plan.inputsFor([bucketOf('r', 8)]);
    expect([...only.keys()]).toEqual([bucketOf('r', 8)]);
    expect(only.get(bucketOf('r', 8))!.sessions.map((s) => s.id)).toEqual(['r', 'c', 'g']);
  });

  it('is not separable when an answer lies in another tree than its question, unless the answer is a fork copy', () => {
    const { a, b } = twoTrees();
    const messages = [message('m1', a, 'user', null), message('m2', b, 'assistant', 'm1')];
    const tree = buildSessionTree(input(messages).sessions);
    expect(splitByBucket(input(messages), tree, new Set(), 4).separable).toBe(false);
    expect(splitByBucket(input(messages), tree, new Set(['m2']), 4).separable).toBe(true);
  });

  it('sums daily rows of the same day and model across buckets and sorts them by key', () => {
    const row = (day: string, model: string, sessions: number, cost: number): RowOf<'daily_stats'> => ({
      day, provider_id: 'p', model_id: model, sessions, assistant_messages: 1, tokens_input: 1, tokens_output: 2, tokens_reasoning: 0,
      tokens_cache_read: 0, tokens_cache_write: 0, tokens_total: 3, cost,
    });
    const merged = mergeDailyStats([[row('2026-01-02', 'm', 1, 0.5)], [row('2026-01-01', 'm', 2, 1), row('2026-01-02', 'm', 3, 0.25)]]);
    expect(merged.map((r) => [r.day, r.sessions, r.assistant_messages, r.tokens_total, r.cost])).toEqual([
      ['2026-01-01', 2, 1, 3, 1],
      ['2026-01-02', 4, 2, 6, 0.75],
    ]);
  });
});
