/**
 * Proves the two layers of dependency rules catch what they claim (docs/architecture.md#dependency-rules):
 * a throwaway workspace with the repository's real configs gets one violation at a time.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/engineProcess.js';

// Inside the repository (git-ignored) so TypeScript finds node_modules/@types the way the real projects do.
const FIXTURE = path.join(REPO_ROOT, '.tsbuild', `rules-fixture-${process.pid}`);
const BIN = path.join(REPO_ROOT, 'node_modules', '.bin');

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(FIXTURE, file)), { recursive: true });
  fs.writeFileSync(path.join(FIXTURE, file), text);
}

/** Copies a project's tsconfig, pointing `extends` at the real base config. */
function copyTsconfig(project: string): void {
  const config = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, project, 'tsconfig.json'), 'utf8')) as Record<string, unknown>;
  config.extends = path.join(REPO_ROOT, 'tsconfig.base.json');
  write(`${project}/tsconfig.json`, JSON.stringify(config));
}

function cleanTree(): void {
  fs.rmSync(FIXTURE, { recursive: true, force: true });
  for (const project of ['shared', 'engine', 'ui']) copyTsconfig(project);
  write('tsconfig.json', JSON.stringify({ files: [], references: [{ path: './shared' }, { path: './engine' }, { path: './ui' }] }));
  write('shared/src/index.ts', 'export const shared = 1;\n');
  write('engine/src/main.ts', "import { shared } from '../../shared/src/index.js';\nexport const engine = shared + 1;\n");
  write('engine/src/a/index.ts', "export { a } from './a.js';\n");
  write('engine/src/a/a.ts', 'export const a = 1;\n');
  write('ui/src/main.ts', "import { shared } from '../../shared/src/index.js';\nexport const ui = shared + 2;\n");
  fs.copyFileSync(path.join(REPO_ROOT, '.dependency-cruiser.cjs'), path.join(FIXTURE, '.dependency-cruiser.cjs'));
  fs.copyFileSync(path.join(REPO_ROOT, 'tsconfig.base.json'), path.join(FIXTURE, 'tsconfig.base.json'));
}

function run(tool: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(path.join(BIN, tool), args, { cwd: FIXTURE, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const typecheck = () => run('tsc', ['-b', '--force']);
const cruise = () => run('depcruise', ['shared', 'engine', 'ui', '--config', '.dependency-cruiser.cjs']);

beforeAll(() => cleanTree());
afterAll(() => fs.rmSync(FIXTURE, { recursive: true, force: true }));

describe('dependency rules', () => {
  it('accept the clean tree', () => {
    cleanTree();
    expect(typecheck()).toMatchObject({ status: 0 });
    expect(cruise()).toMatchObject({ status: 0 });
  });

  it('fail when ui imports from engine', () => {
    cleanTree();
    write('ui/src/leak.ts', "import { engine } from '../../engine/src/main.js';\nexport const leak = engine;\n");
    const tsc = typecheck();
    expect(tsc.status).not.toBe(0);
    expect(tsc.output).toContain('TS6307');
    const dc = cruise();
    expect(dc.status).not.toBe(0);
    expect(dc.output).toContain('runtimes-only-share-shared');
  });

  it('fail when shared imports node:fs', () => {
    cleanTree();
    write('shared/src/fsLeak.ts', "import fs from 'node:fs';\nexport const exists = fs.existsSync;\n");
    const tsc = typecheck();
    expect(tsc.status).not.toBe(0);
    expect(tsc.output).toMatch(/shared\/src\/fsLeak\.ts.*TS(2591|2307)/);
    const dc = cruise();
    expect(dc.status).not.toBe(0);
    expect(dc.output).toContain('shared-is-leaf');
  });

  it('fail on an import cycle', () => {
    cleanTree();
    write('engine/src/a/a.ts', "import { b } from './b.js';\nexport const a = () => b;\n");
    write('engine/src/a/b.ts', "import { a } from './a.js';\nexport const b = () => a;\n");
    const dc = cruise();
    expect(dc.status).not.toBe(0);
    expect(dc.output).toContain('no-circular');
  });

  it('fail when a module reaches past another module’s index.ts', () => {
    cleanTree();
    write('engine/src/b/index.ts', "import { a } from '../a/a.js';\nexport const b = a;\n");
    const dc = cruise();
    expect(dc.status).not.toBe(0);
    expect(dc.output).toContain('enter-modules-through-index');
  });
});
