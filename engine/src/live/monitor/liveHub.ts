/**
 * The engine's one live state: every source (instance followers, the plugin bridge, database inference) hands
 * its diffs here; the hub applies them in arrival order and passes them on. Sources build diffs whose paths start
 * at `instances/<id>`, so they apply to the whole state as they are.
 */
import { applyLiveDiff, emptyLiveState, type LiveDiff, type LiveNotification, type LiveState } from '../../../../shared/src/index.js';

export interface LiveChange {
  readonly diffs: readonly LiveDiff[];
  readonly notifications: readonly LiveNotification[];
}

export interface LiveHub {
  state(): LiveState;
  publish(change: LiveChange): void;
  /** The listener sees every change after it is applied; returns the unsubscribe function. */
  subscribe(listener: (change: LiveChange, state: LiveState) => void): () => void;
}

export function createLiveHub(): LiveHub {
  let state = emptyLiveState();
  const listeners = new Set<(change: LiveChange, state: LiveState) => void>();
  return {
    state: () => state,
    publish(change) {
      if (change.diffs.length === 0 && change.notifications.length === 0) return;
      state = applyLiveDiff(state, change.diffs);
      for (const listener of listeners) listener(change, state);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
