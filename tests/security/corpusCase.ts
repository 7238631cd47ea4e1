/**
 * The shape of one security-corpus case and its validation. Cases are hand-written JSON, so every field is
 * checked and a bad case is reported as a Problem naming its file and index instead of silently skewing
 * the figures (a typo such as `"expected"` would otherwise turn a case into noise).
 */
import { fail, ok, type Problem, type Result } from '../../shared/src/index.js';
import type { RiskLevel } from '../../engine/src/security/types.js';

export type CaseKind = 'bash' | 'read' | 'write' | 'edit' | 'webfetch';
export type CaseClass = 'malicious' | 'benign';

/** One labelled action: what the agent did and the level an honest reviewer would give it. */
export interface CorpusCase {
  readonly kind: CaseKind;
  readonly target: string;
  readonly cwd?: string;
  /** malicious ⇒ expect high|critical; benign ⇒ expect low|medium (checked). */
  readonly class: CaseClass;
  readonly expect: RiskLevel;
  /** Short tag such as `pipe-to-shell`, `look-alike`, `dev-workflow`. */
  readonly family: string;
  readonly note?: string;
}

/** A case plus where it came from, e.g. `evasions.json#12`, so failures point at the line to fix. */
export interface LocatedCase extends CorpusCase {
  readonly source: string;
}

const KINDS: readonly CaseKind[] = ['bash', 'read', 'write', 'edit', 'webfetch'];
const CLASSES: readonly CaseClass[] = ['malicious', 'benign'];
const LEVELS: readonly RiskLevel[] = ['low', 'medium', 'high', 'critical'];
const ALLOWED_KEYS = new Set(['kind', 'target', 'cwd', 'class', 'expect', 'family', 'note']);
const FAMILY_PATTERN = /^[a-z][a-z0-9-]*$/;

/** True for the levels that count as a flag: the positive class of precision and recall. */
export function isFlagged(level: RiskLevel): boolean {
  return level === 'high' || level === 'critical';
}

function invalid(source: string, message: string): Result<never> {
  return fail({ code: 'parse.invalid-record', source, message: `${message}; case not used` });
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[]): value is T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value);
}

/** Checks one parsed JSON value against the case shape. */
export function parseCorpusCase(value: unknown, source: string): Result<LocatedCase> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid(source, 'not an object');
  const raw = value as Record<string, unknown>;
  const unknownKey = Object.keys(raw).find((key) => !ALLOWED_KEYS.has(key));
  if (unknownKey !== undefined) return invalid(source, `unknown field "${unknownKey}"`);
  if (!oneOf(raw.kind, KINDS)) return invalid(source, `kind must be one of ${KINDS.join('|')}`);
  if (typeof raw.target !== 'string' || raw.target.trim() === '') return invalid(source, 'target must be a non-empty string');
  if (raw.cwd !== undefined && (typeof raw.cwd !== 'string' || !raw.cwd.startsWith('/'))) {
    return invalid(source, 'cwd must be an absolute path');
  }
  if (!oneOf(raw.class, CLASSES)) return invalid(source, `class must be one of ${CLASSES.join('|')}`);
  if (!oneOf(raw.expect, LEVELS)) return invalid(source, `expect must be one of ${LEVELS.join('|')}`);
  if (isFlagged(raw.expect) !== (raw.class === 'malicious')) {
    return invalid(source, `class ${raw.class} cannot expect ${raw.expect} (malicious ⇒ high|critical, benign ⇒ low|medium)`);
  }
  if (typeof raw.family !== 'string' || !FAMILY_PATTERN.test(raw.family)) {
    return invalid(source, 'family must be a short lower-case tag such as pipe-to-shell');
  }
  if (raw.note !== undefined && typeof raw.note !== 'string') return invalid(source, 'note must be a string');
  return ok({
    kind: raw.kind,
    target: raw.target,
    ...(raw.cwd !== undefined ? { cwd: raw.cwd as string } : {}),
    class: raw.class,
    expect: raw.expect,
    family: raw.family,
    ...(raw.note !== undefined ? { note: raw.note as string } : {}),
    source,
  });
}

/** Parses one case file (a JSON array); returns the good cases and one Problem per bad case. */
export function parseCaseFile(text: string, file: string): { cases: LocatedCase[]; problems: Problem[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { cases: [], problems: [{ code: 'parse.invalid-json', source: file, message: `${message}; file not used` }] };
  }
  if (!Array.isArray(parsed)) {
    return { cases: [], problems: [{ code: 'parse.invalid-record', source: file, message: 'a case file must be a JSON array; file not used' }] };
  }
  const cases: LocatedCase[] = [];
  const problems: Problem[] = [];
  parsed.forEach((value: unknown, index) => {
    const result = parseCorpusCase(value, `${file}#${index}`);
    if (result.ok) cases.push(result.value);
    else problems.push(result.problem);
  });
  return { cases, problems };
}
