/**
 * Fallback for OpenCode versions without a permission API (seed study §1.4): a tool that has been running
 * longer than a threshold is probably waiting for the user's approval. `task` is exempt: a sub-agent runs for
 * a long time by design. The follower calls this on a timer; it is pure and idempotent.
 */
import { livePath } from '../../../../shared/src/index.js';
import type { LiveState } from '../../../../shared/src/index.js';
import { Changes, commit } from './changes.js';
import type { LiveUpdate } from './changes.js';

export const PERMISSION_THRESHOLD_MS = 5_000;

export function markSlowTools(state: LiveState, instanceId: string, opts: { nowMs: number; thresholdMs?: number }): LiveUpdate {
  const inst = state.instances[instanceId];
  if (!inst || inst.permissionApi) return { state, diffs: [], notifications: [] };
  const threshold = opts.thresholdMs ?? PERMISSION_THRESHOLD_MS;
  const changes = new Changes();
  for (const session of Object.values(inst.sessions)) {
    for (const tool of Object.values(session.tools)) {
      if (tool.mayNeedPermission || tool.status !== 'running' || tool.tool === 'task') continue;
      if (opts.nowMs - tool.startedMs > threshold) changes.set([...livePath.tool(instanceId, session.id, tool.callId), 'mayNeedPermission'], true);
    }
  }
  return commit(state, changes);
}
