/**
 * The demo dataset as a pure function of (seed, now): four projects, 22 root sessions spread over the 14 days
 * before `now` (so the dashboard's 24 h, 7 d and 30 d filters all show data), the sub-agent sessions their task
 * calls start, three risky sessions and one fork: about 30 sessions and a few thousand parts.
 */
import { DEMO_HOME, DEMO_MODELS, DEMO_PROJECTS, type DemoProjectSpec } from './catalog.js';
import { DEMO_TITLE_PREFIX, emptyDataset, type DemoDataset } from './dataset.js';
import { chance, createIdFactory, createRng, hex, int, pick, type Rng } from './random.js';
import { RISKY_SCENARIOS } from './risky.js';
import { promptFor, runOrdinarySession } from './scenarios.js';
import { SessionBuilder, type DemoWorld } from './session.js';

export const DEMO_SEED = 20260614;
export const ROOT_SESSIONS = 22;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Which root slots (oldest first) hold the risky scenarios: one old, one mid-window, one from yesterday. */
const RISKY_SLOTS = [3, 11, 19];
const FORKED_SLOT = 8;

const ADJECTIVES = ['brave', 'calm', 'clever', 'eager', 'jolly', 'quiet', 'swift', 'tidy', 'witty', 'sunny'];
const NOUNS = ['otter', 'falcon', 'harbor', 'comet', 'maple', 'orbit', 'pixel', 'river', 'willow', 'beacon'];

interface ProjectInfo {
  readonly id: string;
  readonly worktree: string;
  readonly spec: DemoProjectSpec;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Start of root slot `i`: 13 days ago for the first, today for the last, during the working day. */
function slotStart(rng: Rng, now: number, i: number): number {
  const daysAgo = 13 - Math.floor((i * 14) / ROOT_SESSIONS);
  // At least 2 h before now, so even the longest session (about an hour) ends in the past.
  return now - daysAgo * DAY_MS - int(rng, 2 * HOUR_MS, 9 * HOUR_MS) - int(rng, 0, 59) * 60_000;
}

export function buildDemoDataset(options: { readonly seed: number; readonly now: number }): DemoDataset {
  const { now } = options;
  const rng = createRng(options.seed);
  const dataset = emptyDataset();
  const world: DemoWorld = { ids: createIdFactory(rng), dataset };
  const projects: ProjectInfo[] = DEMO_PROJECTS.map((spec, i) => {
    const project = { id: hex(rng, 40), worktree: `${DEMO_HOME}/projects/${spec.name}`, spec };
    dataset.projects.push({ id: project.id, worktree: project.worktree, timeCreated: now - (60 - i * 7) * DAY_MS });
    return project;
  });
  const builders: SessionBuilder[] = [];
  for (let i = 0; i < ROOT_SESSIONS; i++) {
    const start = slotStart(rng, now, i);
    const risky = RISKY_SCENARIOS[RISKY_SLOTS.indexOf(i)];
    const project = risky ? (projects.find((p) => p.spec.name === risky.project) ?? projects[0]!) : pick(rng, projects);
    const prompt = promptFor(rng, project.spec.stack);
    const builder = new SessionBuilder(world, {
      projectId: project.id, worktree: project.worktree, stack: project.spec.stack,
      title: `${DEMO_TITLE_PREFIX}${risky ? risky.title : capitalise(prompt)}`,
      agent: chance(rng, 0.8) || risky ? 'build' : 'plan', model: pick(rng, DEMO_MODELS), parentId: null, start,
      version: now - start > 10 * DAY_MS ? '1.17.20' : '1.18.33', slug: `${pick(rng, ADJECTIVES)}-${pick(rng, NOUNS)}`,
    }, rng);
    if (risky) risky.run(builder, rng);
    else runOrdinarySession(builder, rng, prompt, { exchanges: int(rng, 2, 6), delegate: i % 3 === 0 ? (i % 2 === 0 ? 'explore' : 'general') : null, providerError: i === 6 });
    builder.finish();
    builders.push(builder);
  }
  addFork(world, rng, builders[FORKED_SLOT]!);
  assertInThePast(dataset, now);
  return dataset;
}

/** Forks a finished session the next day from its first exchange and continues it differently. */
function addFork(world: DemoWorld, rng: Rng, source: SessionBuilder): void {
  const firstUser = world.dataset.messages.filter((m) => m.sessionId === source.session.id);
  const secondUser = firstUser.findIndex((m, i) => i > 0 && m.data['role'] === 'user');
  const fork = new SessionBuilder(world, { ...source.spec, title: `${source.session.title} (fork #1)`, start: source.t + int(rng, 16, 22) * HOUR_MS }, rng);
  fork.copyFrom(source.session, secondUser > 0 ? secondUser : firstUser.length);
  fork.pause(30_000, 90_000);
  runOrdinarySession(fork, rng, `Try a different approach to ${pick(rng, source.spec.stack.topics)}`, { exchanges: 1, delegate: null, providerError: false });
  fork.finish();
}

/** A bug guard: the dashboard's time filters and OpenCode both assume no record is from the future. */
function assertInThePast(dataset: DemoDataset, now: number): void {
  const latest = Math.max(...dataset.sessions.map((s) => s.timeUpdated), ...dataset.parts.map((p) => p.timeUpdated), ...dataset.messages.map((m) => m.timeUpdated));
  if (latest >= now) throw new Error(`demo dataset: a record at ${latest} is not before now (${now})`);
}
