/** `opencode-monitor sources [--data-dir DIR] [--json]`: what OpenCode storage the engine can see. */
import { formatProblem } from '../../../shared/src/index.js';
import type { CliIo } from './io.js';
import { collectSources } from '../sources/index.js';

export async function sourcesCommand(options: { dataDir: string; json: boolean }, io: CliIo): Promise<number> {
  const summaries = await collectSources(options.dataDir, io.env);
  if (options.json) {
    io.stdout(JSON.stringify({ dataDir: options.dataDir, sources: summaries }, null, 2) + '\n');
  } else if (summaries.length === 0) {
    io.stdout(`No OpenCode storage found in ${options.dataDir}\n`);
  } else {
    for (const s of summaries) {
      const counts = `${s.sessions} sessions, ${s.messages} messages, ${s.parts} parts`;
      io.stdout(`${s.kind.padEnd(6)} ${s.path}\n       ${s.problem ? formatProblem(s.problem) : counts}\n`);
    }
  }
  return summaries.some((s) => s.problem) ? 1 : 0;
}
