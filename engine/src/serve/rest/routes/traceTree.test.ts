import { describe, expect, it } from 'vitest';
import { delegationTree } from './sessionContent.js';
import { buildTraceTree } from './traceTree.js';

const session = (id: string, extra: Record<string, unknown> = {}) => ({ id, title: id, agent: 'build', created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T01:00:00.000Z', ...extra });
const exchange = (id: string, sessionId: string, startedAt: string) => ({ id, session_id: sessionId, started_at: startedAt, prompt_preview: `prompt ${id}` });
const delegation = (id: string, parent: string, child: string, startedAt: string) => ({ id, parent_session_id: parent, child_session_id: child, child_agent: 'explore', started_at: startedAt });

describe('buildTraceTree', () => {
  const rows = {
    sessions: [session('ses_root'), session('ses_child', { depth: 1 }), session('ses_grandchild', { depth: 2 })],
    exchanges: [exchange('msg_u1', 'ses_root', '2026-01-01T00:00:00.000Z'), exchange('msg_u2', 'ses_root', '2026-01-01T00:30:00.000Z')],
    delegations: [delegation('prt_task1', 'ses_root', 'ses_child', '2026-01-01T00:10:00.000Z'), delegation('prt_task2', 'ses_child', 'ses_grandchild', '2026-01-01T00:11:00.000Z')],
    tools: [
      { id: 'prt_bash', session_id: 'ses_root', exchange_id: 'msg_u2', tool: 'bash', argument: 'ls' },
      { id: 'prt_read', session_id: 'ses_child', exchange_id: 'msg_c1', tool: 'read', argument: 'a.ts' },
    ],
  };

  it('puts tools under their exchange and delegations under the latest exchange started before them, nested', () => {
    const [root] = buildTraceTree(['ses_root'], rows, true) as { children: { trace_id: string; children: { node_type: string; trace_id: string; children: { trace_id: string; node_type: string }[] }[] }[] }[];
    expect(root!.children.map((c) => c.trace_id)).toEqual(['exchange_msg_u1', 'exchange_msg_u2']);
    const [first, second] = root!.children;
    expect(first!.children.map((c) => [c.node_type, c.trace_id])).toEqual([['agent', 'prt_task1']]);
    expect(first!.children[0]!.children.map((c) => [c.node_type, c.trace_id])).toEqual([['tool', 'prt_read'], ['agent', 'prt_task2']]);
    expect(second!.children.map((c) => c.trace_id)).toEqual(['prt_bash']);
  });

  it('leaves tools out on request and skips unknown roots', () => {
    const trees = buildTraceTree(['ses_root', 'ses_unknown'], rows, false) as { children: { children: unknown[] }[] }[];
    expect(trees).toHaveLength(1);
    expect(trees[0]!.children[1]!.children).toEqual([]);
  });
});

describe('delegationTree', () => {
  it('counts delegations and depth, and stops at a cycle', () => {
    const cyclic = [delegation('d1', 'a', 'b', 't1'), delegation('d2', 'b', 'a', 't2')];
    const tree = delegationTree('a', { agent: 'build', title: 'A' }, cyclic);
    expect([tree.count, tree.maxDepth]).toEqual([2, 2]);
    expect(tree.node.children[0]!.children[0]!.children).toEqual([]);
  });
});
