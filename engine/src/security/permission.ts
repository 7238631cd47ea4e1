/**
 * Scores a pending permission request of a live OpenCode instance before the user answers it: the request is
 * turned into the action it would allow (a command, a file, a URL) and scored like a recorded tool call.
 */
import type { Scorer } from './score/createScorer.js';
import type { ActionInput, ActionKind, RiskAssessment } from './types.js';

/** What OpenCode's `permission.asked` carries (v1.18: permission, patterns, metadata; older: type, pattern). */
export interface PermissionRequest {
  readonly permission: string;
  readonly patterns: readonly string[];
  readonly metadata: Readonly<Record<string, unknown>>;
  /** The session's directory, for scope. */
  readonly directory?: string;
}

const KIND_OF: Readonly<Record<string, ActionKind>> = {
  bash: 'bash',
  edit: 'edit',
  write: 'write',
  read: 'read',
  webfetch: 'webfetch',
  external_directory: 'read',
  list: 'read',
  glob: 'read',
  grep: 'read',
};

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

export function permissionAction(request: PermissionRequest): Pick<ActionInput, 'kind' | 'target' | 'tool'> | undefined {
  const kind = KIND_OF[request.permission];
  const m = request.metadata;
  const first = request.patterns[0];
  if (kind === 'bash') {
    const target = text(m['command']) ?? (request.patterns.length > 0 ? request.patterns.join(' && ') : undefined);
    return target ? { kind, target } : undefined;
  }
  if (kind === 'webfetch') {
    const target = text(m['url']) ?? first;
    return target ? { kind, target } : undefined;
  }
  if (kind) {
    const target = text(m['filePath']) ?? text(m['filepath']) ?? text(m['path']) ?? first;
    return target ? { kind, target } : undefined;
  }
  // An MCP tool or a permission kind this version does not know: scored by name and arguments.
  let args = '';
  try {
    args = JSON.stringify(m);
  } catch {
    // unserialisable metadata: the name alone is scored
  }
  return { kind: 'mcp', target: `${request.permission} ${args}`, tool: request.permission };
}

export function scorePermission(scorer: Scorer, request: PermissionRequest, home?: string): RiskAssessment | undefined {
  const action = permissionAction(request);
  if (!action) return undefined;
  return scorer.score({ ...action, ...(request.directory ? { cwd: request.directory } : {}), ...(home ? { home } : {}) });
}
