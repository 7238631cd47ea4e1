// The engine's bundle: esbuild turns engine/src (and the shared/src it imports) into two files under dist/engine,
// the CLI entry and the Piscina worker, so a command starts without tsx resolving and transforming ~200 modules
// through its loader thread (≈ 0.5 s for the CLI and again for every worker thread). bin/opencode-monitor runs
// the bundle when it is fresh and the TypeScript sources through tsx otherwise, so an edited checkout never runs
// stale code.
//   node scripts/engine-bundle.mjs          builds it (npm run build, npm test and npm start do)
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function engineBundlePaths(root = ROOT) {
  const dir = path.join(root, 'dist', 'engine');
  return { dir, main: path.join(dir, 'main.mjs'), worker: path.join(dir, 'worker.mjs'), stamp: path.join(dir, 'build.json') };
}

/** What the bundle is built from: a change to any of these makes it stale. */
const SOURCES = ['engine/src', 'shared/src', 'package-lock.json'];

/** Newest modification time of a file, or of anything under a folder (the folder's own mtime included). */
export function newestMtime(entry) {
  const stat = statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted file changes its directory's mtime
  for (const name of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

/**
 * Whether the bundle in dist/engine was built from these sources, in this checkout (it holds absolute paths of
 * the files it reads beside the sources). A few milliseconds: one stat per source file.
 */
export function engineBundleIsFresh(root = ROOT) {
  const paths = engineBundlePaths(root);
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(paths.stamp, 'utf8'));
  } catch {
    return false;
  }
  if (stamp.root !== root || statSync(paths.worker, { throwIfNoEntry: false }) === undefined) return false;
  const builtAt = statSync(paths.main, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  return builtAt > 0 && Math.max(...SOURCES.map((p) => newestMtime(path.join(root, p)))) <= stamp.sourcesAt;
}

/**
 * Modules find the files shipped beside them (rule JSON, SQL, the plugin asset) by `new URL('./x', import.meta.url)`;
 * in one bundle every module would share the bundle's URL, so each module's own URL is written in as a constant.
 */
function keepModuleUrls(root) {
  return {
    name: 'keep-module-urls',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (!args.path.startsWith(root + path.sep) || args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes('import.meta.url')) return { contents: source, loader: 'ts' };
        return { contents: source.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
      });
    },
  };
}

export async function buildEngineBundle(root = ROOT) {
  const { build } = await import('esbuild');
  const paths = engineBundlePaths(root);
  // Read before building: a source saved during the build leaves the bundle stale, not falsely fresh.
  const sourcesAt = Math.max(...SOURCES.map((p) => newestMtime(path.join(root, p))));
  mkdirSync(paths.dir, { recursive: true });
  const tmp = path.join(paths.dir, `.build-${process.pid}`);
  const common = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
    plugins: [keepModuleUrls(root)],
  };
  try {
    // The worker carries its own copy of apache-arrow: resolving Arrow's ~150 ESM files made each thread start
    // ~0.1 s slower (one file loads in a third of the time), and a worker never hands Arrow objects to another
    // module copy (it sends IPC bytes). The main bundle keeps it external: DuckDB's Node build shares it there.
    const manifest = path.join(root, 'package.json');
    const dependencies = existsSync(manifest) ? Object.keys(JSON.parse(readFileSync(manifest, 'utf8')).dependencies ?? {}) : undefined;
    await build({
      ...common,
      ...(dependencies ? { packages: undefined, external: dependencies.filter((name) => name !== 'apache-arrow') } : {}),
      entryPoints: { worker: path.join(root, 'engine/src/pipeline/worker.ts') },
      outdir: tmp,
      outExtension: { '.js': '.mjs' },
    });
    await build({
      ...common,
      entryPoints: { main: path.join(root, 'engine/src/main.ts') },
      outdir: tmp,
      outExtension: { '.js': '.mjs' },
      // The pool starts its threads on the bundled worker, without tsx (engine/src/pipeline/pool.ts).
      define: { __OCM_BUNDLED_WORKER__: JSON.stringify(pathToFileURL(paths.worker).href) },
    });
    // Whole files only: a launcher checking freshness meanwhile sees the old bundle or the new one.
    for (const name of ['worker.mjs', 'worker.mjs.map', 'main.mjs', 'main.mjs.map']) renameSync(path.join(tmp, name), path.join(paths.dir, name));
    writeFileSync(`${paths.stamp}.${process.pid}.tmp`, JSON.stringify({ root, sourcesAt, builtAt: new Date().toISOString() }));
    renameSync(`${paths.stamp}.${process.pid}.tmp`, paths.stamp);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return paths;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  try {
    const paths = await buildEngineBundle();
    process.stdout.write(`engine bundle: ${path.relative(ROOT, paths.main)} and ${path.relative(ROOT, paths.worker)} in ${Math.round(performance.now() - started)} ms\n`);
  } catch (error) {
    process.stderr.write(`engine bundle failed: ${error.message}\n`);
    process.exit(1);
  }
}
