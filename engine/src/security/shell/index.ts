export { parseShell } from './parse.js';
export { commandsPipedFrom, commandsPipedInto } from './pipes.js';
export { SHELL_NAMES, shellReadsStdin } from './innerScript.js';
export { MAX_DEPTH, MAX_INPUT_CHARS } from './scan.js';
export type * from './types.js';
