import { describe, expect, it } from 'vitest';
import { buildSessionTree, childRootMap } from './tree.js';

describe('buildSessionTree', () => {
  it('gives every session its root and depth, in any input order', () => {
    const tree = buildSessionTree([
      { id: 'c2', parent_id: 'c1' },
      { id: 'r', parent_id: null },
      { id: 'c1', parent_id: 'r' },
      { id: 'other', parent_id: null },
    ]);
    expect(tree.get('r')).toEqual({ rootId: 'r', depth: 0 });
    expect(tree.get('c1')).toEqual({ rootId: 'r', depth: 1 });
    expect(tree.get('c2')).toEqual({ rootId: 'r', depth: 2 });
    expect(childRootMap(tree)).toEqual({ c1: 'r', c2: 'r' });
  });

  it('stops at a parent that is not stored, and survives a cycle', () => {
    const tree = buildSessionTree([
      { id: 'orphan', parent_id: 'deleted' },
      { id: 'a', parent_id: 'b' },
      { id: 'b', parent_id: 'a' },
    ]);
    expect(tree.get('orphan')).toEqual({ rootId: 'orphan', depth: 0 });
    expect(new Set([tree.get('a')!.rootId, tree.get('b')!.rootId]).size).toBe(1);
  });
});
