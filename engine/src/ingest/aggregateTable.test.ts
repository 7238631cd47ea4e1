import { describe, expect, it } from 'vitest';
import type { MessageAggregate } from '../pipeline/index.js';
import { aggregatesToIpc, readAggregatesInto } from './aggregateTable.js';

describe('message aggregates segment', () => {
  it('reads back what was written, and leaves entries the caller already has (they are newer)', () => {
    const saved: Record<string, MessageAggregate> = {
      msg_a: { toolCalls: 3, reasoningParts: 1, firstText: { id: 'prt_1', text: 'héllo' }, lastText: { id: 'prt_9', text: 'bye' } },
      msg_b: { toolCalls: 0, reasoningParts: 0, firstText: null, lastText: null },
    };
    const newer: MessageAggregate = { toolCalls: 7, reasoningParts: 2, firstText: null, lastText: null };
    const into: Record<string, MessageAggregate> = { msg_b: newer };
    readAggregatesInto(aggregatesToIpc(saved).map((s) => s.bytes), into);
    expect(into).toEqual({ msg_a: saved['msg_a'], msg_b: newer });
  });
});
