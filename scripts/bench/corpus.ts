/**
 * The corpus under test: generated with tests/corpus (`--parts N --legacy`) into `<tmp>/share/opencode`, or an
 * existing one passed with --corpus. Also the corpus's size for the report and an independent tally of its
 * tokens (database rows and legacy JSON files), used to explain where the engine's and ccusage's totals differ.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { runMeasured, tail } from './child.js';
import type { TokenTotals } from './peer.js';

/** The parts of tests/corpus/manifest.ts the benchmark reads. */
export interface CorpusManifest {
  options?: { partsTarget?: number };
  tables: Record<string, number>;
  sessions: { total: number };
  raw: { messages: number; parts: number; tokens: TokenTotals };
  unique: { messages: number; parts: number; tokens: TokenTotals };
  forks: { sessions: number; copiedTokens: TokenTotals };
  legacy?: { files: Record<string, number>; jsonOnly: { sessions: number; messages: number; parts: number; tokens: TokenTotals } };
  merged: { sessions: number; messages: number; parts: number; tokens: TokenTotals };
}

export interface CorpusInfo {
  /** The OpenCode data dir (`--data-dir`). */
  readonly dataDir: string;
  /** A directory whose `opencode/` is the corpus (XDG_DATA_HOME for ccusage). */
  readonly xdgDataHome: string;
  readonly generatedMs: number | null;
  readonly manifest: CorpusManifest;
  /** opencode.db plus its -wal file. */
  readonly dbBytes: number;
  readonly legacyFiles: number;
}

export async function generateCorpus(repoRoot: string, parts: number, outDir: string, timeoutMs: number): Promise<number> {
  const args = ['--import', 'tsx', path.join(repoRoot, 'tests', 'corpus', 'cli.ts'), '--parts', String(parts), '--out', outDir, '--legacy', '--quiet'];
  const run = await runMeasured(process.execPath, args, { cwd: repoRoot, env: process.env, timeoutMs });
  if (run.exitCode !== 0) throw new Error(`corpus generation failed (${run.timedOut ? 'timed out' : `exit ${run.exitCode ?? run.signal}`}):\n${tail(run.stderr || run.stdout)}`);
  return run.wallMs;
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** Reads the manifest and sizes of a corpus directory; `xdgDataHome` must contain `opencode/` pointing at it. */
export function describeCorpus(dataDir: string, xdgDataHome: string, generatedMs: number | null): CorpusInfo {
  const manifestPath = path.join(dataDir, 'manifest.json');
  if (!fs.existsSync(path.join(dataDir, 'opencode.db')) || !fs.existsSync(manifestPath)) {
    throw new Error(`${dataDir} is not a corpus (it needs opencode.db and manifest.json; generate one with npm run corpus)`);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as CorpusManifest;
  const db = path.join(dataDir, 'opencode.db');
  const legacyFiles = Object.values(manifest.legacy?.files ?? {}).reduce((a, b) => a + b, 0);
  return { dataDir, xdgDataHome, generatedMs, manifest, dbBytes: fileSize(db) + fileSize(`${db}-wal`), legacyFiles };
}

interface StoredTokens {
  input?: number;
  output?: number;
  reasoning?: number;
  cache?: { read?: number; write?: number };
}

function addTokens(into: TokenTotals, t: StoredTokens | undefined): void {
  if (!t) return;
  const add = { input: t.input ?? 0, output: t.output ?? 0, reasoning: t.reasoning ?? 0, cacheRead: t.cache?.read ?? 0, cacheWrite: t.cache?.write ?? 0 };
  into.input += add.input;
  into.output += add.output;
  into.reasoning += add.reasoning;
  into.cacheRead += add.cacheRead;
  into.cacheWrite += add.cacheWrite;
  into.total += add.input + add.output + add.reasoning + add.cacheRead + add.cacheWrite;
}

const zero = (): TokenTotals => ({ input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0, total: 0 });

/**
 * Our own count, not the manifest's: every assistant message row of the database (fork copies included, as
 * stored), and every legacy JSON assistant message whose id is not in the database.
 */
export function tallyCorpusTokens(dataDir: string): { dbRows: TokenTotals; legacyNotInDb: TokenTotals; legacyNotInDbMessages: number } {
  const db = new Database(path.join(dataDir, 'opencode.db'), { readonly: true, fileMustExist: true });
  try {
    const dbRows = zero();
    const sums = db
      .prepare(
        `SELECT sum(json_extract(data, '$.tokens.input')) AS input, sum(json_extract(data, '$.tokens.output')) AS output,
                sum(json_extract(data, '$.tokens.reasoning')) AS reasoning, sum(json_extract(data, '$.tokens.cache.read')) AS cacheRead,
                sum(json_extract(data, '$.tokens.cache.write')) AS cacheWrite
         FROM message WHERE json_extract(data, '$.role') = 'assistant'`,
      )
      .get() as Record<string, number | null>;
    addTokens(dbRows, { input: sums['input'] ?? 0, output: sums['output'] ?? 0, reasoning: sums['reasoning'] ?? 0, cache: { read: sums['cacheRead'] ?? 0, write: sums['cacheWrite'] ?? 0 } });
    const legacyNotInDb = zero();
    let legacyNotInDbMessages = 0;
    const inDb = db.prepare('SELECT 1 FROM message WHERE id = ?').pluck();
    const root = path.join(dataDir, 'storage', 'message');
    const sessions = fs.existsSync(root) ? fs.readdirSync(root) : [];
    for (const session of sessions) {
      for (const file of fs.readdirSync(path.join(root, session))) {
        if (!file.endsWith('.json')) continue;
        let message: { id?: string; role?: string; tokens?: StoredTokens };
        try {
          message = JSON.parse(fs.readFileSync(path.join(root, session, file), 'utf8')) as typeof message;
        } catch {
          continue; // a corrupt file (--corrupt): every reader skips it
        }
        if (message.role !== 'assistant' || (message.id && inDb.get(message.id))) continue;
        legacyNotInDbMessages++;
        addTokens(legacyNotInDb, message.tokens);
      }
    }
    return { dbRows, legacyNotInDb, legacyNotInDbMessages };
  } finally {
    db.close();
  }
}
