/**
 * The records the generator emits, one per future row, and the `Sink` that receives them. The database
 * writer, the statistics and the legacy JSON writer are all sinks, so one generator run feeds all three.
 *
 * Emission order follows OpenCode: a message is emitted when it is created (`message`, with `final: false` for
 * an assistant step still running) and emitted again when it completes (`final: true`); a part is emitted
 * once, in its final state; a session is emitted when created and again, with usage and summary, when done.
 */
import type { RiskCategory } from './risky.js';
import type { TodoItem } from './tools.js';

export type SessionKind = 'root' | 'child' | 'fork';

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
  into.cost += add.cost;
  into.input += add.input;
  into.output += add.output;
  into.reasoning += add.reasoning;
  into.cacheRead += add.cacheRead;
  into.cacheWrite += add.cacheWrite;
}

export interface SessionRow {
  id: string;
  projectID: string;
  parentID: string | null;
  slug: string;
  directory: string;
  path: string;
  title: string;
  version: string;
  summary: { additions: number; deletions: number; files: number } | null;
  usage: Usage;
  permission: unknown[] | null;
  agent: string | null;
  model: { id: string; providerID: string; variant: string } | null;
  timeCreated: number;
  timeUpdated: number;
  timeArchived: number | null;
  kind: SessionKind;
  depth: number;
  /** Fork source session (forks only; OpenCode itself does not store it). */
  forkOf: string | null;
  /** The session ends with a step still running (recent activity) or left behind by a crash (old). */
  inFlight: 'none' | 'live' | 'stale';
}

export interface MessageRow {
  id: string;
  sessionID: string;
  timeCreated: number;
  timeUpdated: number;
  /** The `data` column: the message JSON without `id` and `sessionID`. */
  data: Record<string, unknown>;
  /** True when the row was copied from another session by a fork. */
  copy: boolean;
}

export interface PartRow {
  id: string;
  messageID: string;
  sessionID: string;
  timeCreated: number;
  timeUpdated: number;
  /** The `data` column: the part JSON without `id`, `messageID` and `sessionID`. */
  data: Record<string, unknown>;
  copy: boolean;
  risk: RiskCategory | null;
}

export interface ProjectRow {
  id: string;
  worktree: string;
  vcs: string | null;
  name: string | null;
  timeCreated: number;
  timeUpdated: number;
  timeInitialized: number | null;
}

export interface Sink {
  project?(row: ProjectRow, directories: ReadonlyArray<{ directory: string; timeCreated: number }>): void;
  session(row: SessionRow, final: boolean): void;
  message(row: MessageRow, final: boolean): void;
  part(row: PartRow): void;
  todos(sessionID: string, todos: readonly TodoItem[], time: number): void;
}

/** Fans every record out to several sinks. */
export function teeSink(sinks: readonly Sink[]): Sink {
  return {
    project: (row, dirs) => { for (const sink of sinks) sink.project?.(row, dirs); },
    session: (row, final) => { for (const sink of sinks) sink.session(row, final); },
    message: (row, final) => { for (const sink of sinks) sink.message(row, final); },
    part: (row) => { for (const sink of sinks) sink.part(row); },
    todos: (id, todos, time) => { for (const sink of sinks) sink.todos(id, todos, time); },
  };
}
