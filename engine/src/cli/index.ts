export { runCli, usage } from './run.js';
export type { CliIo } from './io.js';
