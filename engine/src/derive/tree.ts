/** Session tree: each session's root and depth, following parent links; robust to missing parents and cycles. */

export interface TreePosition {
  readonly rootId: string;
  readonly depth: number;
}

export function buildSessionTree(sessions: Iterable<{ id: string; parent_id: string | null }>): Map<string, TreePosition> {
  const parentOf = new Map<string, string | null>();
  for (const s of sessions) parentOf.set(s.id, s.parent_id);
  const positions = new Map<string, TreePosition>();
  const resolve = (id: string): TreePosition => {
    const known = positions.get(id);
    if (known) return known;
    // Walk up iteratively; a parent that is not stored (deleted) ends the walk at the last known session.
    const chain: string[] = [];
    const seen = new Set<string>();
    let current = id;
    let base: TreePosition | undefined;
    for (;;) {
      const done = positions.get(current);
      if (done) {
        base = done;
        break;
      }
      if (seen.has(current)) break; // a cycle: treat the repeated session as the root
      seen.add(current);
      chain.push(current);
      const parent = parentOf.get(current);
      if (!parent || !parentOf.has(parent)) break;
      current = parent;
    }
    let rootId = base?.rootId ?? chain.at(-1)!;
    let depth = base ? base.depth + 1 : 0;
    for (let i = chain.length - 1; i >= 0; i--) {
      const sessionId = chain[i]!;
      if (!base && i === chain.length - 1) {
        positions.set(sessionId, { rootId: sessionId, depth: 0 });
        rootId = sessionId;
        depth = 1;
        continue;
      }
      positions.set(sessionId, { rootId, depth });
      depth++;
    }
    return positions.get(id)!;
  };
  for (const id of parentOf.keys()) resolve(id);
  return positions;
}

/** Sub-agent session id → root id, the map workers need to stamp root_session_id on rows. */
export function childRootMap(tree: ReadonlyMap<string, TreePosition>): Record<string, string> {
  const roots: Record<string, string> = {};
  for (const [id, position] of tree) if (position.rootId !== id) roots[id] = position.rootId;
  return roots;
}
