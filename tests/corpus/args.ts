/**
 * Command-line parsing for `npm run corpus -- …`. Pure: returns options or a problem message, never exits.
 */
import { DEFAULT_SEED, DEFAULT_SESSIONS, PARTS_PER_FAMILY } from './generate.js';
import type { CorpusOptions } from './generate.js';

export const USAGE = `Usage: npm run corpus -- --out DIR [options]

Writes a deterministic OpenCode 1.18.33 data directory for benchmarks: DIR/opencode.db (exact OpenCode
schema, WAL), optionally DIR/storage/ (legacy JSON tree), and DIR/manifest.json (ground-truth figures).
Point OpenCode or the monitor at it with XDG_DATA_HOME=<parent> where <parent>/opencode is DIR.

Options:
  --out DIR              output directory (required); must be empty unless --force
  --sessions N           root sessions (families with their sub-agent children and forks) [${DEFAULT_SESSIONS}]
  --parts P              instead of --sessions: about P parts (N = P / ${PARTS_PER_FAMILY}); 1,000,000 -> 10,000
  --seed S               PRNG seed, integer 0..4294967295 [${DEFAULT_SEED}]
  --legacy               legacy JSON tree with max(5, N/20) JSON-only sessions
  --legacy-sessions M    legacy JSON tree with M JSON-only sessions (+ first exchanges of ceil(M/2) DB ones)
  --corrupt K            add K corrupt/truncated/empty legacy JSON files (listed in the manifest)
  --events               fill the event / event_sequence tables (about 1.5 rows per part)
  --days D               length of the time window [90]
  --end ISO              end of the window [2026-11-01T00:00:00Z]
  --json                 print the manifest as JSON on stdout
  --force                replace an existing corpus in DIR
  --quiet                no progress on stderr
  --help                 this text
`;

export interface CliOptions {
  corpus: CorpusOptions;
  json: boolean;
  quiet: boolean;
  legacyFlag: boolean;
}

export type ParseResult = { ok: true; help: true } | { ok: true; help: false; options: CliOptions } | { ok: false; message: string };

const VALUE_FLAGS = new Set(['--out', '--sessions', '--parts', '--seed', '--legacy-sessions', '--corrupt', '--days', '--end']);
const BOOLEAN_FLAGS = new Set(['--legacy', '--events', '--json', '--force', '--quiet', '--help', '-h']);

function integer(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number | string {
  const clean = text.replaceAll('_', '');
  if (!/^\d+$/.test(clean)) return `${flag} expects a whole number, got "${text}"`;
  const value = Number(clean);
  if (value < min || value > max) return `${flag} must be between ${min} and ${max}, got ${text}`;
  return value;
}

export function parseArgs(argv: readonly string[]): ParseResult {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] ?? '';
    const eq = raw.indexOf('=');
    const name = raw.startsWith('--') && eq > 0 ? raw.slice(0, eq) : raw;
    if (VALUE_FLAGS.has(name)) {
      const value = eq > 0 && raw.startsWith('--') ? raw.slice(eq + 1) : argv[++i];
      if (value === undefined || (value.startsWith('--') && eq < 0)) return { ok: false, message: `${name} needs a value` };
      if (values.has(name)) return { ok: false, message: `${name} given twice` };
      values.set(name, value);
    } else if (BOOLEAN_FLAGS.has(name) && eq < 0) {
      flags.add(name);
    } else {
      return { ok: false, message: `unknown argument "${raw}" (see --help)` };
    }
  }
  if (flags.has('--help') || flags.has('-h')) return { ok: true, help: true };
  const out = values.get('--out');
  if (!out) return { ok: false, message: '--out DIR is required' };
  if (values.has('--sessions') && values.has('--parts')) return { ok: false, message: 'give either --sessions or --parts, not both' };
  if (flags.has('--legacy') && values.has('--legacy-sessions')) return { ok: false, message: 'give either --legacy or --legacy-sessions, not both' };
  const corpus: CorpusOptions = { out, events: flags.has('--events'), force: flags.has('--force') };
  const numeric: Array<[string, keyof CorpusOptions, number, number?]> = [
    ['--sessions', 'sessions', 1, 10_000_000], ['--parts', 'parts', 1, 1_000_000_000], ['--seed', 'seed', 0, 0xffffffff],
    ['--legacy-sessions', 'legacySessions', 0, 1_000_000], ['--corrupt', 'corrupt', 0, 100_000], ['--days', 'days', 1, 3650],
  ];
  for (const [flag, key, min, max] of numeric) {
    const text = values.get(flag);
    if (text === undefined) continue;
    const value = integer(flag, text, min, max);
    if (typeof value === 'string') return { ok: false, message: value };
    (corpus as unknown as Record<string, unknown>)[key] = value;
  }
  const end = values.get('--end');
  if (end !== undefined) {
    const time = Date.parse(end);
    if (Number.isNaN(time)) return { ok: false, message: `--end expects an ISO date, got "${end}"` };
    corpus.endTime = time;
  }
  if (flags.has('--legacy')) {
    const sessions = corpus.sessions ?? (corpus.parts ? Math.round(corpus.parts / PARTS_PER_FAMILY) : DEFAULT_SESSIONS);
    corpus.legacySessions = Math.max(5, Math.round(sessions / 20));
  }
  return { ok: true, help: false, options: { corpus, json: flags.has('--json'), quiet: flags.has('--quiet'), legacyFlag: flags.has('--legacy') } };
}
