/**
 * What the tray knows, reduced from the engine link's events: the engine's status and the live state of every
 * running OpenCode (the engine's one live state, kept in step by `live-state` + `live-diff`). Pure: no Electron,
 * no sockets.
 */
import { applyLiveDiff, emptyLiveState, type LiveState, type ServerMessage } from '../../../shared/src/index.js';

export interface TrayState {
  readonly connection: 'connecting' | 'online' | 'offline';
  readonly dashboardUrl: string;
  readonly engineVersion: string | null;
  readonly dataDir: string | null;
  readonly demo: boolean;
  readonly lastError: string | null;
  readonly live: LiveState;
}

export type TrayEvent =
  | { readonly type: 'message'; readonly message: ServerMessage }
  | { readonly type: 'connecting' }
  | { readonly type: 'disconnected'; readonly reason: string };

export function initialTrayState(dashboardUrl: string): TrayState {
  return { connection: 'connecting', dashboardUrl, engineVersion: null, dataDir: null, demo: false, lastError: null, live: emptyLiveState() };
}

export function reduceTrayState(state: TrayState, event: TrayEvent): TrayState {
  switch (event.type) {
    case 'connecting':
      return { ...state, connection: 'connecting' };
    case 'disconnected':
      // What the engine last said may be stale now: show nothing rather than agents that may have stopped.
      return { ...state, connection: 'offline', lastError: event.reason, live: emptyLiveState() };
    case 'message': {
      const { message } = event;
      switch (message.type) {
        case 'hello':
          return { ...state, connection: 'online', engineVersion: message.engineVersion, dataDir: message.dataDir, demo: message.demo, lastError: null };
        case 'live-state':
          return { ...state, live: message.state };
        case 'live-diff':
          return { ...state, live: applyLiveDiff(state.live, message.diffs) };
        case 'problem':
          return { ...state, lastError: `${message.problem.code}: ${message.problem.message}` };
        default:
          return state;
      }
    }
  }
}
