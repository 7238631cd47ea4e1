/**
 * What the tray knows, reduced from the engine link's events. Pure: no Electron, no sockets.
 */
import type { ServerMessage } from '../../../shared/src/index.js';

export interface TrayState {
  readonly connection: 'connecting' | 'online' | 'offline';
  readonly dashboardUrl: string;
  readonly engineVersion: string | null;
  readonly dataDir: string | null;
  readonly demo: boolean;
  readonly lastError: string | null;
}

export type TrayEvent =
  | { readonly type: 'message'; readonly message: ServerMessage }
  | { readonly type: 'connecting' }
  | { readonly type: 'disconnected'; readonly reason: string };

export function initialTrayState(dashboardUrl: string): TrayState {
  return { connection: 'connecting', dashboardUrl, engineVersion: null, dataDir: null, demo: false, lastError: null };
}

export function reduceTrayState(state: TrayState, event: TrayEvent): TrayState {
  switch (event.type) {
    case 'connecting':
      return { ...state, connection: 'connecting' };
    case 'disconnected':
      return { ...state, connection: 'offline', lastError: event.reason };
    case 'message': {
      const { message } = event;
      if (message.type === 'hello') {
        return { ...state, connection: 'online', engineVersion: message.engineVersion, dataDir: message.dataDir, demo: message.demo, lastError: null };
      }
      if (message.type === 'problem') return { ...state, lastError: `${message.problem.code}: ${message.problem.message}` };
      return state;
    }
  }
}
