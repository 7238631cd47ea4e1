import { describe, expect, it } from 'vitest';
import { findForkCopies } from './derive.js';
import { fingerprintHash, ForkCopyIndex } from './forkCopies.js';
import { MessageIndex } from './messageIndex.js';
import type { MessageFacts } from './messageColumns.js';

function facts(id: string, sessionId: string, createdAt: number, cost: number): MessageFacts {
  return {
    id, sessionId, role: 'assistant', parentId: 'q', agent: 'build', providerId: 'p', modelId: 'm', createdAt, completedAt: null, errorName: null,
    tokens: { input: 1, output: 1, reasoning: 0, cacheRead: 0, cacheWrite: 0, total: 2 }, cost, chunk: 0, row: 0,
  };
}

/** A small deterministic generator, so a failing case can be replayed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe('ForkCopyIndex', () => {
  it('agrees with findForkCopies after every change: messages added, changed, removed, sessions re-dated', () => {
    agreesWithFindForkCopies(new ForkCopyIndex(), 7);
  });

  it('tells apart messages whose fingerprints differ but whose hashes collide', () => {
    agreesWithFindForkCopies(new ForkCopyIndex(() => 0), 11); // every message in one bucket
    agreesWithFindForkCopies(new ForkCopyIndex((m) => m.createdAt % 2), 13); // two buckets
  });

  it('hashes equal fingerprints alike, and -0 as 0', () => {
    const a = facts('a', 's1', 5, 0);
    expect(fingerprintHash(facts('b', 's2', 5, -0))).toBe(fingerprintHash(a));
    expect(fingerprintHash(facts('c', 's1', 6, 0))).not.toBe(fingerprintHash(a));
    expect(fingerprintHash({ ...a, agent: 'plan' })).not.toBe(fingerprintHash(a));
    expect(fingerprintHash({ ...a, parentId: null })).not.toBe(fingerprintHash(a));
  });
});

/** Random changes to a few messages and sessions; after each, the index must give findForkCopies' answer. */
function agreesWithFindForkCopies(index: ForkCopyIndex, seed: number): void {
  const random = rng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const sessions = ['s1', 's2', 's3', 's4', 's5'];
  const created = new Map(sessions.map((s, i) => [s, (i % 3) * 10]));
  const messages = new Map<string, MessageFacts>();
  // Few distinct times and costs, so fingerprints collide often: copies come and go.
  const fresh = (id: string) => facts(id, pick(sessions), pick([1, 2, 3]), pick([0.5, 1]));
  for (let i = 0; i < 30; i++) messages.set(`m${i}`, fresh(`m${i}`));
  const messagesIndex = new MessageIndex();
  let previous = new Set<string>();
  let held = new Map<string, MessageFacts>();
  for (let round = 0; round < 200; round++) {
    const action = random();
    if (action < 0.3) messages.set(`n${round}`, fresh(`n${round}`));
    else if (action < 0.6 && messages.size > 0) {
      const id = pick([...messages.keys()]);
      messages.set(id, fresh(id));
    } else if (action < 0.85 && messages.size > 0) messages.delete(pick([...messages.keys()]));
    else if (action < 0.95) created.set(pick(sessions), Math.floor(random() * 30));
    else created.delete(pick(sessions));
    const list = [...messages.values()];
    const expected = findForkCopies(list, created);
    // Half the rounds name the changed messages (as the indexer does); the others hand over the whole list.
    const changes =
      round % 2 === 0
        ? messagesIndex.sync(list)
        : messagesIndex.syncSome(new Set([...messages.keys(), ...held.keys()].filter((id) => messages.get(id) !== held.get(id))), (id) => messages.get(id));
    held = new Map(messages);
    expect(messagesIndex.size).toBe(messages.size);
    const { copies, flipped } = index.update(changes, created, (id) => messagesIndex.ofSession(id));
    expect(new Set(copies)).toEqual(expected);
    const changed = new Set([...expected].filter((id) => !previous.has(id)).concat([...previous].filter((id) => !expected.has(id))));
    expect(new Set(flipped)).toEqual(changed);
    previous = new Set(expected);
  }
}
