/**
 * A session family: one root session (a conversation a user started), the sub-agent sessions its task calls
 * spawned (recursively, up to depth 3), and the forks made from it later.
 *
 * Forks follow OpenCode 1.18.33's Session.fork (read from the binary and checked on a real database): a new
 * root-level session (no parent_id) titled "<title> (fork #n)" copies every message before the chosen user
 * message (or all of them) with new ids, keeps message time_created and all data (tokens, cost, tool calls,
 * even task metadata.sessionId pointing at the original child, which is not copied), and adds the copied
 * step-finish usage to its own session.cost / tokens_* columns. Summing rows therefore counts the shared
 * history once per fork (peers.md §1, junhoyeo/tokscale#446, anomalyco/opencode#31032); the manifest's
 * `unique` figures leave the copies out.
 */
import { MODELS, ROOT_AGENTS } from './catalog.js';
import { chance, createRng, deriveSeed, geometric, int, logNormalInt, pick, sample } from './random.js';
import type { FamilySlot } from './schedule.js';
import { SessionRunner } from './session.js';
import type { SessionSpec, TranscriptEntry, World } from './session.js';
import { phrase } from './text.js';

/** OpenCode's fork title rule: "x (fork #n)" becomes "x (fork #n+1)", anything else gets " (fork #1)". */
export function forkTitle(title: string): string {
  const match = /^(.+) \(fork #(\d+)\)$/.exec(title);
  if (match) return `${match[1] ?? ''} (fork #${Number.parseInt(match[2] ?? '0', 10) + 1})`;
  return `${title} (fork #1)`;
}

export interface FamilyOptions {
  /** Probability that a root session is forked later. */
  forkRate: number;
}

export const DEFAULT_FAMILY_OPTIONS: FamilyOptions = { forkRate: 0.06 };

/** Generates one family into `world.sink`; everything random comes from (seed, slot.index). */
export function runFamily(world: World, slot: FamilySlot, seed: number, options: FamilyOptions = DEFAULT_FAMILY_OPTIONS): void {
  const rng = createRng(deriveSeed(seed, 0xfa, slot.index));
  const recent = slot.start > world.endTime - 3 * 3_600_000;
  const cut = slot.forceLive || (recent && chance(rng, 0.5)) ? 'live' : chance(rng, 0.002) ? 'stale' : 'none';
  const forks = cut === 'none' && chance(rng, options.forkRate) ? (chance(rng, 0.3) ? 2 : 1) : 0;
  const title = chance(rng, 0.03) ? `New session - ${new Date(slot.start).toISOString()}` : phrase(rng, int(rng, 3, 7));
  const spec: SessionSpec = {
    kind: 'root', depth: 0, parentID: null, forkOf: null, project: slot.project, directory: slot.directory, path: slot.path,
    agent: sample(rng, ROOT_AGENTS), model: sample(rng, MODELS), title, start: slot.start, permission: null, canSpawn: true,
    cut, keepTranscript: forks > 0, archivable: true, deferAgentModel: false,
  };
  const root = new SessionRunner(world, spec, rng);
  root.exchanges(1 + Math.min(39, geometric(rng, 4.5)));
  root.finish();

  let source: SessionRunner = root;
  for (let f = 0; f < forks; f++) {
    const entries = chooseForkPoint(rng, source.transcript);
    const at = source.t + logNormalInt(rng, 20 * 60_000, 1.5, 10_000, 20 * 86_400_000);
    if (entries.length === 0 || at > world.endTime - 10 * 60_000) break;
    const fork = new SessionRunner(world, {
      ...spec, kind: 'fork', forkOf: source.id, title: forkTitle(source.row.title), start: at, cut: 'none',
      keepTranscript: f < forks - 1, deferAgentModel: true,
      model: chance(rng, 0.8) ? spec.model : sample(rng, MODELS),
    }, rng);
    fork.copyFrom(entries);
    fork.exchanges(chance(rng, 0.3) ? 0 : 1 + geometric(rng, 1.5));
    fork.finish();
    if (chance(rng, 0.5)) source = fork;
  }
}

/** Messages before a user message (exclusive), or the whole transcript; never an empty prefix. */
function chooseForkPoint(rng: ReturnType<typeof createRng>, transcript: readonly TranscriptEntry[]): TranscriptEntry[] {
  const users = transcript
    .map((entry, index) => ({ entry, index }))
    .filter(({ entry, index }) => index > 0 && entry.message.data['role'] === 'user');
  if (users.length === 0 || chance(rng, 0.4)) return transcript.slice();
  return transcript.slice(0, pick(rng, users).index);
}
