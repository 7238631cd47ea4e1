/**
 * The tray menu as plain data, rebuilt whole from state on every change (the Podman Desktop pattern). The
 * Electron adapter converts it; nothing here imports Electron.
 */
import type { TrayState } from '../state/index.js';
import { liveItems, trayTitle, type MenuItemSpec } from './liveItems.js';

export type { MenuAction, MenuItemSpec, PermissionReply } from './liveItems.js';

export interface TrayView {
  /** The status item text next to the icon (macOS menu bar; ignored where trays have no title). */
  readonly title: string;
  readonly tooltip: string;
  readonly icon: 'idle' | 'offline';
  readonly items: readonly MenuItemSpec[];
}

export function buildTrayView(state: TrayState, nowMs: number = Date.now()): TrayView {
  const items: MenuItemSpec[] = [];
  if (state.connection === 'online') {
    items.push(...liveItems(state.live, nowMs));
    items.push({ kind: 'separator' });
    items.push({ kind: 'label', label: `Engine ${state.engineVersion ?? ''} · online${state.demo ? ' · DEMO DATA' : ''}` });
    if (state.dataDir) items.push({ kind: 'label', label: `Reading ${state.dataDir}` });
  } else if (state.connection === 'connecting') {
    items.push({ kind: 'label', label: 'Connecting to the engine…' });
  } else {
    items.push({ kind: 'label', label: 'Engine offline' });
    if (state.lastError) items.push({ kind: 'label', label: state.lastError });
    items.push({ kind: 'action', label: 'Retry', action: { type: 'retry' }, enabled: true });
  }
  items.push({ kind: 'separator' });
  items.push({ kind: 'action', label: 'Open dashboard', action: { type: 'open-dashboard' }, enabled: state.connection === 'online' });
  items.push({ kind: 'separator' });
  items.push({ kind: 'action', label: 'Quit OpenCode Monitor', action: { type: 'quit' }, enabled: true });
  return {
    title: state.connection === 'online' ? trayTitle(state.live) : '🤖',
    tooltip: state.connection === 'online' ? 'OpenCode Monitor' : 'OpenCode Monitor (engine offline)',
    icon: state.connection === 'online' ? 'idle' : 'offline',
    items,
  };
}
