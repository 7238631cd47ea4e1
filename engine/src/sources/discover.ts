/**
 * Finds OpenCode's storage in a data directory: every `opencode*.db` (one per release channel), an
 * `OPENCODE_DB` override, and the legacy JSON `storage/` tree. It only lists names; it never opens
 * credential files (`auth.json`, `mcp-auth.json`), which do not match these patterns.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

export type SourceKind = 'sqlite' | 'json';

export interface SourceLocation {
  readonly kind: SourceKind;
  readonly path: string;
}

const DB_FILE = /^opencode(-[A-Za-z0-9._-]+)?\.db$/;

/** Where `OPENCODE_DB` points, resolved as OpenCode does: absolute, or a name relative to the data dir. */
export function resolveDbOverride(dataDir: string, value: string | undefined): string | undefined {
  if (!value || value === ':memory:') return undefined;
  return path.isAbsolute(value) ? value : path.join(dataDir, value);
}

async function isFile(file: string): Promise<boolean> {
  return fs.stat(file).then((s) => s.isFile(), () => false);
}

async function isDirectory(dir: string): Promise<boolean> {
  return fs.stat(dir).then((s) => s.isDirectory(), () => false);
}

/** Lists sources; a missing data dir yields an empty list (the caller decides whether that is a problem). */
export async function discoverSources(dataDir: string, env: Readonly<Record<string, string | undefined>> = {}): Promise<SourceLocation[]> {
  const found: SourceLocation[] = [];
  const names = await fs.readdir(dataDir).catch(() => [] as string[]);
  for (const name of names.filter((n) => DB_FILE.test(n)).sort()) {
    const file = path.join(dataDir, name);
    if (await isFile(file)) found.push({ kind: 'sqlite', path: file });
  }
  const override = resolveDbOverride(dataDir, env.OPENCODE_DB);
  if (override && !found.some((s) => s.path === override) && (await isFile(override))) {
    found.push({ kind: 'sqlite', path: override });
  }
  const storage = path.join(dataDir, 'storage');
  if (await isDirectory(storage)) found.push({ kind: 'json', path: storage });
  return found;
}
