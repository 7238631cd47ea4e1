/**
 * The columns of `messages` that derivations need, read out of Arrow IPC chunks once into plain arrays.
 */
import { tableFromIPC } from 'apache-arrow';
import type { Tokens } from '../parse/index.js';

export interface MessageFacts {
  readonly id: string;
  readonly sessionId: string;
  readonly role: string;
  readonly parentId: string | null;
  readonly agent: string | null;
  readonly providerId: string | null;
  readonly modelId: string | null;
  readonly createdAt: number;
  readonly completedAt: number | null;
  readonly errorName: string | null;
  readonly tokens: Tokens;
  readonly cost: number;
  /** Index of the IPC chunk and row it came from, to rewrite flags in place. */
  readonly chunk: number;
  readonly row: number;
}

const n = (value: unknown): number => (typeof value === 'bigint' ? Number(value) : typeof value === 'number' ? value : 0);

export function readMessageFacts(chunks: readonly Uint8Array[]): MessageFacts[] {
  const facts: MessageFacts[] = [];
  // Arrow decodes a fresh string on every get(); a million copies of "assistant" or a model id add up, so
  // repeated values (everything but the id) share one string.
  const pool = new Map<string, string>();
  const intern = (value: unknown): string | null => {
    if (typeof value !== 'string') return null;
    const known = pool.get(value);
    if (known !== undefined) return known;
    pool.set(value, value);
    return value;
  };
  chunks.forEach((bytes, chunk) => {
    const table = tableFromIPC(bytes);
    const col = (name: string) => {
      const vector = table.getChild(name);
      if (!vector) throw new Error(`internal.bug: messages chunk has no column "${name}"`);
      return vector;
    };
    const [id, sessionId, role, parentId, agent, providerId, modelId, createdAt, completedAt, errorName] = [
      'id', 'session_id', 'role', 'parent_id', 'agent', 'provider_id', 'model_id', 'created_at', 'completed_at', 'error_name',
    ].map(col);
    const [input, output, reasoning, cacheRead, cacheWrite, total, cost] = [
      'tokens_input', 'tokens_output', 'tokens_reasoning', 'tokens_cache_read', 'tokens_cache_write', 'tokens_total', 'cost',
    ].map(col);
    for (let row = 0; row < table.numRows; row++) {
      facts.push({
        id: id!.get(row) as string,
        sessionId: intern(sessionId!.get(row)) as string,
        role: intern(role!.get(row)) as string,
        parentId: intern(parentId!.get(row)),
        agent: intern(agent!.get(row)),
        providerId: intern(providerId!.get(row)),
        modelId: intern(modelId!.get(row)),
        createdAt: n(createdAt!.get(row)),
        completedAt: completedAt!.get(row) === null ? null : n(completedAt!.get(row)),
        errorName: intern(errorName!.get(row)),
        tokens: {
          input: n(input!.get(row)),
          output: n(output!.get(row)),
          reasoning: n(reasoning!.get(row)),
          cacheRead: n(cacheRead!.get(row)),
          cacheWrite: n(cacheWrite!.get(row)),
          total: n(total!.get(row)),
        },
        cost: n(cost!.get(row)),
        chunk,
        row,
      });
    }
  });
  return facts;
}
