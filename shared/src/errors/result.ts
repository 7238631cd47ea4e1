/**
 * Expected problems are values, not exceptions (docs/architecture.md, "Errors").
 * A `Result` is either the value or a `Problem` that says what went wrong, where, and what happens next.
 */
import type { ProblemCode } from './codes.js';

/** One expected problem: a code from the shared table, a human message, and optional location. */
export interface Problem {
  readonly code: ProblemCode;
  readonly message: string;
  /** File, table or URL the problem is about, when there is one. */
  readonly source?: string;
  /** Extra machine-readable detail (e.g. the SQLite error code). Never secrets. */
  readonly detail?: Readonly<Record<string, string | number | boolean | null>>;
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: Problem };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(problem: Problem): Result<T> {
  return { ok: false, problem };
}

/** Formats a problem the way logs and CLIs show it: `code: source — message`. */
export function formatProblem(problem: Problem): string {
  const where = problem.source ? `${problem.source} — ` : '';
  return `${problem.code}: ${where}${problem.message}`;
}
