/**
 * Which single argument of a tool call the monitor shows, as the original monitor chose it (seed study §1.2),
 * sharpened per tool: the command of a shell, the file of a file tool, the URL of a fetch, what a sub-agent was
 * asked to do. Anything else shows its first string argument.
 */
import { isLoose, str } from './openCodeEvent.js';

const SHELL_TOOLS = new Set(['bash', 'shell', 'execute']);
const FILE_TOOLS = new Set(['read', 'write', 'edit', 'multiedit', 'patch', 'view']);
/** Keys tried, in order, when a tool has no rule of its own (the original's order, then common ones). */
const FALLBACK_KEYS = ['command', 'filePath', 'file_path', 'path', 'url', 'description', 'pattern', 'query'];
const MAX_ARGUMENT = 500;

export function chooseToolArgument(tool: string, input: unknown): string {
  if (!isLoose(input)) return '';
  const pick = (...keys: string[]): string | undefined => keys.map((k) => str(input[k])).find((v) => v !== undefined && v !== '');
  let chosen: string | undefined;
  if (SHELL_TOOLS.has(tool)) chosen = pick('command', 'cmd');
  else if (FILE_TOOLS.has(tool)) chosen = pick('filePath', 'file_path', 'path');
  else if (tool === 'webfetch') chosen = pick('url');
  else if (tool === 'task') {
    const what = pick('description', 'prompt');
    const who = pick('subagent_type', 'agent');
    chosen = what !== undefined && who !== undefined ? `${what} (@${who})` : (what ?? who);
  }
  chosen ??= pick(...FALLBACK_KEYS) ?? Object.values(input).find((v): v is string => typeof v === 'string' && v !== '');
  // A prompt or file body can be huge; the viewer only needs the start.
  return (chosen ?? '').slice(0, MAX_ARGUMENT);
}
