/**
 * The demo dataset in memory: one record per future row of OpenCode's tables, in the shapes OpenCode 1.18 writes
 * (the `data` JSON of messages and parts without the id columns, sessions as columns). Building it is pure; only
 * writeDatabase.ts touches the disk.
 */

export interface Usage {
  cost: number;
  input: number;
  output: number;
  reasoning: number;
  cacheRead: number;
  cacheWrite: number;
}

export function emptyUsage(): Usage {
  return { cost: 0, input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0 };
}

export function addUsage(into: Usage, add: Usage): void {
  into.cost = roundCost(into.cost + add.cost);
  into.input += add.input;
  into.output += add.output;
  into.reasoning += add.reasoning;
  into.cacheRead += add.cacheRead;
  into.cacheWrite += add.cacheWrite;
}

/** OpenCode's decimal arithmetic stores short costs such as 0.003666, not float noise. */
export function roundCost(value: number): number {
  return Math.round(value * 1e12) / 1e12;
}

export interface DemoProject {
  readonly id: string;
  readonly worktree: string;
  readonly timeCreated: number;
}

export interface DemoSession {
  readonly id: string;
  readonly projectId: string;
  readonly parentId: string | null;
  readonly slug: string;
  readonly directory: string;
  title: string;
  readonly version: string;
  agent: string | null;
  model: { id: string; providerID: string; variant: string } | null;
  readonly permission: unknown[] | null;
  readonly timeCreated: number;
  timeUpdated: number;
  summary: { additions: number; deletions: number; files: number } | null;
  readonly usage: Usage;
}

export interface DemoMessage {
  readonly id: string;
  readonly sessionId: string;
  readonly timeCreated: number;
  timeUpdated: number;
  data: Record<string, unknown>;
}

export interface DemoPart {
  readonly id: string;
  readonly messageId: string;
  readonly sessionId: string;
  readonly timeCreated: number;
  readonly timeUpdated: number;
  readonly data: Record<string, unknown>;
}

export interface DemoTodo {
  readonly content: string;
  readonly status: 'pending' | 'in_progress' | 'completed' | 'cancelled';
  readonly priority: 'high' | 'medium' | 'low';
}

export interface DemoTodoList {
  readonly sessionId: string;
  readonly todos: readonly DemoTodo[];
  readonly time: number;
}

export interface DemoDataset {
  readonly projects: DemoProject[];
  readonly sessions: DemoSession[];
  readonly messages: DemoMessage[];
  readonly parts: DemoPart[];
  readonly todoLists: DemoTodoList[];
}

export function emptyDataset(): DemoDataset {
  return { projects: [], sessions: [], messages: [], parts: [], todoLists: [] };
}

/** Every session title carries this, so the data is labelled even to someone reading the database with SQL. */
export const DEMO_TITLE_PREFIX = '[demo] ';
