/**
 * Where the demo lives and when it is (re)generated. The demo data dir is `<stateDir>/demo/opencode`, inside the
 * monitor's own state, never the user's OpenCode dir. A marker beside it records the generator version, seed and
 * generation time; the dir is rebuilt when any of them is missing or different, or when the data is more than a
 * day old (its sessions are placed relative to the time it was made, and the dashboard's filters are relative to
 * now). A rebuild is written to a temp dir and renamed into place, and the saved index of the old demo is removed
 * so a warm start cannot mix old rows with new ones.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fail, ok, type Result } from '../../../shared/src/index.js';
import { indexDirFor } from '../ingest/index.js';
import { discoverSources } from '../sources/index.js';
import { buildDemoDataset, DEMO_SEED } from './buildDataset.js';
import { writeDemoDatabase } from './writeDatabase.js';

/** Bump when the generated data changes shape, so existing demo dirs are rebuilt. */
export const DEMO_GENERATOR_VERSION = 1;
const MAX_AGE_MS = 86_400_000;

interface Marker {
  readonly version: number;
  readonly seed: number;
  readonly generatedAt: number;
}

export function demoDataDirFor(stateDir: string): string {
  return path.join(stateDir, 'demo', 'opencode');
}

function markerFile(stateDir: string): string {
  return path.join(stateDir, 'demo', 'demo.json');
}

async function readMarker(stateDir: string): Promise<Marker | null> {
  try {
    const value = JSON.parse(await fs.readFile(markerFile(stateDir), 'utf8')) as Partial<Marker>;
    return typeof value.version === 'number' && typeof value.seed === 'number' && typeof value.generatedAt === 'number' ? (value as Marker) : null;
  } catch {
    return null;
  }
}

async function isCurrent(stateDir: string, seed: number, now: number): Promise<boolean> {
  const marker = await readMarker(stateDir);
  if (!marker || marker.version !== DEMO_GENERATOR_VERSION || marker.seed !== seed) return false;
  if (now - marker.generatedAt > MAX_AGE_MS || marker.generatedAt > now) return false;
  return fs.stat(path.join(demoDataDirFor(stateDir), 'opencode.db')).then((s) => s.isFile(), () => false);
}

export interface DemoDataDir {
  readonly dataDir: string;
  /** True when this call (re)built it. */
  readonly generated: boolean;
}

export interface DemoOptions {
  readonly stateDir: string;
  readonly now?: number;
  readonly seed?: number;
}

/** Makes sure a current demo data dir exists and returns it; a state dir that cannot be written is a problem. */
export async function ensureDemoDataDir(options: DemoOptions): Promise<Result<DemoDataDir>> {
  const now = options.now ?? Date.now();
  const seed = options.seed ?? DEMO_SEED;
  const dataDir = demoDataDirFor(options.stateDir);
  if (await isCurrent(options.stateDir, seed, now)) return ok({ dataDir, generated: false });
  const staging = `${dataDir}.tmp-${process.pid}`;
  try {
    await fs.rm(staging, { recursive: true, force: true });
    await fs.mkdir(staging, { recursive: true });
    writeDemoDatabase(path.join(staging, 'opencode.db'), buildDemoDataset({ seed, now }));
    await fs.rm(dataDir, { recursive: true, force: true });
    await fs.rm(indexDirFor(options.stateDir, dataDir), { recursive: true, force: true });
    await fs.rename(staging, dataDir);
    const marker: Marker = { version: DEMO_GENERATOR_VERSION, seed, generatedAt: now };
    await fs.writeFile(markerFile(options.stateDir), `${JSON.stringify(marker)}\n`);
    return ok({ dataDir, generated: true });
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true }).catch(() => undefined);
    return fail({ code: 'demo.unwritable', message: `cannot write the demo data under ${options.stateDir}: ${(error as Error).message}` });
  }
}

/** "OpenCode data" means what the indexer reads: an `opencode*.db` (or OPENCODE_DB) or a legacy `storage/` tree. */
export async function hasOpenCodeData(dataDir: string, env: Readonly<Record<string, string | undefined>> = {}): Promise<boolean> {
  return (await discoverSources(dataDir, env)).length > 0;
}

export interface StartData {
  readonly dataDir: string;
  readonly demo: boolean;
}

/**
 * The data dir `start` serves: the user's when it holds OpenCode data, else (or with `--demo`) the demo's.
 * Only ever reads the user's dir.
 */
export async function chooseStartData(options: {
  readonly dataDir: string;
  readonly stateDir: string;
  readonly forceDemo: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}): Promise<Result<StartData>> {
  if (!options.forceDemo && (await hasOpenCodeData(options.dataDir, options.env))) return ok({ dataDir: options.dataDir, demo: false });
  const demo = await ensureDemoDataDir({ stateDir: options.stateDir });
  return demo.ok ? ok({ dataDir: demo.value.dataDir, demo: true }) : demo;
}

/** What `start` prints when it serves the demo. */
export function demoNotice(userDataDir: string, forced: boolean): string {
  return forced
    ? `--demo: showing DEMO data (generated) instead of ${userDataDir}. Drop --demo to read your own.\n`
    : `No OpenCode data found at ${userDataDir}: showing DEMO data (generated). Pass --data-dir DIR to read your own.\n`;
}
