/**
 * The plan of a corpus before any session is generated: projects (git projects with 40-hex ids plus "global"),
 * their directories, and one slot per session family (root session with its children and forks) with a start
 * time, a project and a directory. Start times follow working hours and weekdays over the window and are
 * sorted, so families are written in roughly chronological order, like a real database grows.
 */
import { DAY_MS, HOUR_WEIGHTS, MINUTE_MS, PROJECT_NAMES, STACKS } from './catalog.js';
import { createRng, deriveSeed, hex, int, pick, sample, weighted } from './random.js';
import type { ProjectRow } from './records.js';
import type { ProjectInfo } from './session.js';

export const HOME = '/home/dev';
export const GLOBAL_PROJECT_ID = 'global';

export interface PlannedProject extends ProjectInfo {
  row: ProjectRow;
  directories: Array<{ directory: string; timeCreated: number }>;
}

export interface FamilySlot {
  index: number;
  start: number;
  project: PlannedProject;
  directory: string;
  /** Directory relative to the worktree ("" at the root), OpenCode's session.path. */
  path: string;
  /** The most recent family: always ends with a step still running. */
  forceLive: boolean;
}

export interface Schedule {
  projects: PlannedProject[];
  families: FamilySlot[];
}

function relativePath(worktree: string, directory: string): string {
  if (directory === worktree) return '';
  return worktree === '/' ? directory.slice(1) : directory.slice(worktree.length + 1);
}

/**
 * Plans `count` families in the window (endTime - days, endTime). Purely a function of its arguments. With
 * `existing`, the families reuse copies of those projects (older history of the same repositories) instead of
 * new ones.
 */
export function buildSchedule(seed: number, count: number, endTime: number, days: number, existing?: readonly PlannedProject[]): Schedule {
  const rng = createRng(deriveSeed(seed, 0x5c4ed));
  const start = endTime - days * DAY_MS;
  const gitProjects = Math.max(2, Math.min(PROJECT_NAMES.length, Math.round(Math.sqrt(count) / 3)));
  const projects: PlannedProject[] = existing
    ? existing.map((p) => ({ ...p, row: { ...p.row, timeCreated: 0, timeUpdated: 0, timeInitialized: null }, directories: p.directories.map((d) => ({ ...d, timeCreated: 0 })) }))
    : [];
  const emptyRow = (id: string, worktree: string, vcs: string | null): ProjectRow =>
    ({ id, worktree, vcs, name: null, timeCreated: 0, timeUpdated: 0, timeInitialized: null });
  for (let i = 0; !existing && i < gitProjects; i++) {
    const id = hex(rng, 40);
    const worktree = `${HOME}/src/${PROJECT_NAMES[i] ?? `project-${i}`}`;
    const subdirs = ['packages/api', 'packages/web', 'services/worker', 'docs'].slice(0, int(rng, 0, 3));
    projects.push({
      id, worktree, stack: pick(rng, STACKS), row: emptyRow(id, worktree, 'git'),
      directories: [worktree, ...subdirs.map((d) => `${worktree}/${d}`)].map((directory) => ({ directory, timeCreated: 0 })),
    });
  }
  if (!existing) projects.push({
    id: GLOBAL_PROJECT_ID, worktree: '/', stack: pick(rng, STACKS), row: emptyRow(GLOBAL_PROJECT_ID, '/', null),
    directories: [HOME, `${HOME}/scratch`, '/tmp/play'].map((directory) => ({ directory, timeCreated: 0 })),
  });
  const projectTable = weighted(projects.map((p, i) => [p, p.id === GLOBAL_PROJECT_ID ? 0.6 : 1 / Math.pow(i + 1, 1.1)] as const));
  const dayTable = weighted(
    Array.from({ length: days }, (_, d) => {
      const weekday = new Date(start + d * DAY_MS).getUTCDay();
      return [d, weekday === 0 || weekday === 6 ? 0.35 : 1] as const;
    }),
  );
  const starts: number[] = [];
  for (let i = 0; i < count; i++) {
    const day = sample(rng, dayTable);
    const hour = sample(rng, HOUR_WEIGHTS);
    const time = start + day * DAY_MS + hour * 3_600_000 + int(rng, 0, 3_599_999);
    starts.push(Math.min(time, endTime - 30 * MINUTE_MS - int(rng, 0, 3_600_000)));
  }
  starts.sort((a, b) => a - b);
  if (count >= 3) starts[count - 1] = endTime - int(rng, 3, 25) * MINUTE_MS;
  const families: FamilySlot[] = starts.map((time, index) => {
    const project = sample(rng, projectTable);
    const dirIndex = rng.next() < 0.85 ? 0 : int(rng, 0, project.directories.length - 1);
    const dir = project.directories[dirIndex] ?? project.directories[0];
    if (!dir) throw new Error('schedule: project without directories');
    if (dir.timeCreated === 0) dir.timeCreated = time - int(rng, 0, 2000);
    if (project.row.timeCreated === 0) project.row.timeCreated = time - int(rng, 60_000, 2 * DAY_MS);
    project.row.timeUpdated = time;
    return { index, start: time, project, directory: dir.directory, path: relativePath(project.worktree, dir.directory), forceLive: count >= 3 && index === count - 1 };
  });
  for (const project of projects) {
    project.directories = project.directories.filter((d) => d.timeCreated > 0);
    if (project.row.timeCreated > 0 && project.row.vcs && rng.next() < 0.3) project.row.timeInitialized = project.row.timeCreated + int(rng, 1000, DAY_MS);
  }
  return { projects: projects.filter((p) => p.row.timeCreated > 0), families };
}
