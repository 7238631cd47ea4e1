/** Problems of the live follower, as data, with the `live.*` codes of the shared problem table. */
import type { Problem, ProblemCode } from '../../../../shared/src/index.js';

export type LiveProblemCode = Extract<ProblemCode, `live.${string}`>;

export function liveProblem(code: LiveProblemCode, message: string, source?: string, detail?: Problem['detail']): Problem {
  return { code, message, ...(source !== undefined ? { source } : {}), ...(detail !== undefined ? { detail } : {}) };
}
