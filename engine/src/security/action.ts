/**
 * Which tool calls the audit scores, and on what: a tool call → the action kind and its target(s), from the
 * raw (unredacted) input. Pure; the worker calls it for every tool part it parses.
 */
import type { ActionKind } from './types.js';

export interface AuditAction {
  readonly kind: ActionKind;
  /** Command, URL, or the file path(s) a file tool touched; a patch may touch several (the riskiest counts). */
  readonly targets: readonly string[];
  readonly tool: string;
}

type Input = Readonly<Record<string, unknown>>;

const FILE_KINDS: Readonly<Record<string, ActionKind>> = {
  read: 'read',
  write: 'write',
  edit: 'edit',
  multiedit: 'edit',
  patch: 'edit',
  apply_patch: 'edit',
};

/** Built-in tools that only search or list: audited as a read of the directory they look in, when one is given. */
const SEARCH_TOOLS: ReadonlySet<string> = new Set(['grep', 'glob', 'list', 'ls']);

/** Built-in tools with nothing to audit (their effects are audited where they happen, e.g. a task's sub-agent). */
const UNAUDITED: ReadonlySet<string> = new Set([
  'task', 'todoread', 'todowrite', 'question', 'skill', 'websearch', 'codesearch', 'lsp', 'batch', 'invalid',
]);

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

/**
 * @param filePaths the paths a file tool touched, as the parser already extracted them (patch tools list several)
 * @param builtin whether the tool is one of OpenCode's own; anything else is audited as `mcp` by name and arguments
 */
export function auditActionOf(tool: string, input: Input, filePaths: readonly string[], builtin: boolean): AuditAction | undefined {
  if (tool === 'bash') {
    const command = text(input['command']);
    return command ? { kind: 'bash', targets: [command], tool } : undefined;
  }
  if (tool === 'webfetch') {
    const url = text(input['url']);
    return url ? { kind: 'webfetch', targets: [url], tool } : undefined;
  }
  const fileKind = FILE_KINDS[tool];
  if (fileKind) return filePaths.length > 0 ? { kind: fileKind, targets: filePaths, tool } : undefined;
  if (SEARCH_TOOLS.has(tool)) {
    const dir = text(input['path']);
    return dir ? { kind: 'read', targets: [dir], tool } : undefined;
  }
  if (builtin || UNAUDITED.has(tool)) return undefined;
  let args: string;
  try {
    args = JSON.stringify(input);
  } catch {
    args = '';
  }
  return { kind: 'mcp', targets: [`${tool} ${args}`], tool };
}
