// Before `npm start`: builds the dashboard when dist/ui is missing or older than its sources, and the engine's
// bundle when it is stale, so `npm install && npm start` is all a newcomer runs.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { buildEngineBundle, engineBundleIsFresh, newestMtime } from './engine-bundle.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const built = path.join(root, 'dist', 'ui', 'index.html');

const builtAt = statSync(built, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const sourcesAt = Math.max(...['ui', 'shared/src', 'vite.config.ts', 'package-lock.json'].map((p) => newestMtime(path.join(root, p))));
if (builtAt < sourcesAt) {
  process.stderr.write(builtAt === 0 ? 'Building the dashboard (first start)…\n' : 'Dashboard sources changed; rebuilding…\n');
  const result = spawnSync('npx', ['--no-install', 'vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

// The engine's bundle starts faster than its sources through tsx; without it the launcher runs the sources.
if (!engineBundleIsFresh(root)) {
  try {
    await buildEngineBundle(root);
  } catch (error) {
    process.stderr.write(`The engine bundle could not be built (${error.message}); starting from the sources.\n`);
  }
}
