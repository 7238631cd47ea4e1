/**
 * The engine's bundle (scripts/engine-bundle.mjs) against its TypeScript sources:
 * 1. on a generated corpus with a legacy tree and corrupt records, `index --json` and `sql --json` through the
 *    bundle (Piscina workers included) print what they print through tsx;
 * 2. freshness: a bundle built in a small stand-in checkout runs its modules' files from their own folders, is
 *    fresh until a source is edited, added or removed, and is never fresh for another checkout.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCorpus } from '../corpus/generate.js';
import { REPO_ROOT } from '../support/engineProcess.js';
// @ts-expect-error -- a plain .mjs build script, without type declarations
import * as bundle from '../../scripts/engine-bundle.mjs';

const { buildEngineBundle, engineBundleIsFresh, engineBundlePaths } = bundle as {
  buildEngineBundle(root?: string): Promise<{ main: string; worker: string }>;
  engineBundleIsFresh(root?: string): boolean;
  engineBundlePaths(root?: string): { main: string; worker: string; stamp: string };
};

const run = promisify(execFile);
const BIN = join(REPO_ROOT, 'bin', 'opencode-monitor');

async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await run(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

describe('engine bundle answers as the sources do', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocm-bundle-'));
    await generateCorpus({ out: join(dir, 'data'), sessions: 30, seed: 11, legacySessions: 3, corrupt: 2 });
    // npm test builds the bundle before the tests; a bare `vitest run` may not have.
    if (!engineBundleIsFresh(REPO_ROOT)) await buildEngineBundle(REPO_ROOT);
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('index --json and sql --json print the same through the bundle and through tsx', async () => {
    // Else the launcher would run the sources both times.
    expect(engineBundleIsFresh(REPO_ROOT)).toBe(true);
    const outputs = [];
    for (const [name, env] of [['bundle', {}], ['source', { OCM_ENGINE_FROM_SOURCE: '1' }]] as const) {
      const xdg = { XDG_STATE_HOME: join(dir, name, 'state'), XDG_CONFIG_HOME: join(dir, name, 'config'), XDG_DATA_HOME: join(dir, name, 'xdg-data') };
      const stateDir = join(dir, name, 'index');
      const summary = JSON.parse(await cli(['index', '--data-dir', join(dir, 'data'), '--state-dir', stateDir, '--json'], { ...env, ...xdg })) as Record<string, unknown>;
      const rows = JSON.parse(await cli(['sql', 'SELECT type, count(*) AS n FROM parts GROUP BY type ORDER BY type', '--data-dir', join(dir, 'data'), '--state-dir', stateDir, '--json'], { ...env, ...xdg })) as unknown;
      const { elapsedMs, ...rest } = summary;
      expect(elapsedMs).toEqual(expect.any(Number));
      outputs.push({ summary: JSON.parse(JSON.stringify(rest).replaceAll(stateDir, '<state>')), rows });
    }
    const [fromBundle, fromSource] = outputs;
    expect((fromBundle!.summary['skipped'] as { count: number }).count).toBeGreaterThan(0);
    expect((fromBundle!.summary['sources'] as unknown[]).length).toBe(2);
    expect(fromBundle).toEqual(fromSource);
  }, 240_000);
});

describe('engine bundle freshness', () => {
  let root: string;
  const write = async (file: string, text: string) => {
    await mkdir(join(root, file, '..'), { recursive: true });
    await writeFile(join(root, file), text);
  };
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ocm-bundle-root-'));
    await write('package-lock.json', '{}');
    await write('shared/src/index.ts', 'export const GREETING = "hello";\n');
    // Reads a file beside its own module, as the rule loaders do: the bundle must keep the module's folder.
    await write('engine/src/rules/words.json', '["from", "rules"]\n');
    await write('engine/src/rules/load.ts', "import { readFileSync } from 'node:fs';\nexport const words = (): string[] => JSON.parse(readFileSync(new URL('./words.json', import.meta.url), 'utf8'));\n");
    await write('engine/src/pipeline/worker.ts', 'export default () => 1;\n');
    await write('engine/src/main.ts', "import { GREETING } from '../../shared/src/index.js';\nimport { words } from './rules/load.js';\nconsole.log([GREETING, ...words()].join(' '));\n");
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('runs modules with their own folders, and goes stale on an edit, a new file or a removed one', async () => {
    expect(engineBundleIsFresh(root)).toBe(false);
    const paths = await buildEngineBundle(root);
    expect(engineBundleIsFresh(root)).toBe(true);
    const { stdout } = await run(process.execPath, [paths.main]);
    expect(stdout.trim()).toBe('hello from rules');

    const later = new Date(Date.now() + 5_000);
    await utimes(join(root, 'engine/src/rules/load.ts'), later, later);
    expect(engineBundleIsFresh(root)).toBe(false);
    await buildEngineBundle(root);
    expect(engineBundleIsFresh(root)).toBe(true);

    await write('shared/src/extra.ts', 'export {};\n');
    const newer = new Date(Date.now() + 10_000);
    await utimes(join(root, 'shared/src/extra.ts'), newer, newer);
    expect(engineBundleIsFresh(root)).toBe(false);
    await buildEngineBundle(root);
    expect(engineBundleIsFresh(root)).toBe(true);

    await unlink(join(root, 'shared/src/extra.ts'));
    const newest = new Date(Date.now() + 15_000);
    await utimes(join(root, 'shared/src'), newest, newest);
    expect(engineBundleIsFresh(root)).toBe(false);
  });

  it('is not fresh for another checkout', async () => {
    await buildEngineBundle(root);
    const stamp = JSON.parse(await readFile(engineBundlePaths(root).stamp, 'utf8')) as { root: string };
    await writeFile(engineBundlePaths(root).stamp, JSON.stringify({ ...stamp, root: '/somewhere/else' }));
    expect(engineBundleIsFresh(root)).toBe(false);
  });
});
