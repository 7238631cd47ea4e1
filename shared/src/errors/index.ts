export { PROBLEM_HELP, isProblemCode, type ProblemCode } from './codes.js';
export { ok, fail, formatProblem, type Problem, type Result } from './result.js';
export { toSerializedError, fromSerializedError, type SerializedError } from './serialize.js';
