/**
 * Locates the real OpenCode binary installed by the `opencode-ai` devDependency, relative to this repository
 * (found from this file's location, so the harness works from any checkout path).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest ancestor of this file that has a package.json and a node_modules folder. */
export function findRepoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'node_modules'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`harness: no package.json with node_modules above ${from}`);
    dir = parent;
  }
}

/**
 * The platform package's binary runs without opencode-ai's postinstall, so prefer it; fall back to the copy the
 * postinstall makes. Only linux-x64 is wired here because that is what CI and the dev machines run.
 */
export function resolveOpencodeBinary(repoRoot: string = findRepoRoot()): string {
  const candidates = [
    join(repoRoot, 'node_modules', 'opencode-linux-x64', 'bin', 'opencode'),
    join(repoRoot, 'node_modules', 'opencode-ai', 'bin', 'opencode.exe'),
  ];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`harness: OpenCode binary not found; looked at ${candidates.join(', ')} (run npm install)`);
  return found;
}
