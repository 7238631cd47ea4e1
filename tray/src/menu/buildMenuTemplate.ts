/**
 * The tray menu as plain data, rebuilt whole from state on every change (the Podman Desktop pattern). The
 * Electron adapter converts it; nothing here imports Electron.
 */
import type { TrayState } from '../state/index.js';

export type MenuAction = 'open-dashboard' | 'retry' | 'quit';

export type MenuItemSpec =
  | { readonly kind: 'label'; readonly label: string }
  | { readonly kind: 'action'; readonly label: string; readonly action: MenuAction; readonly enabled: boolean }
  | { readonly kind: 'separator' };

export interface TrayView {
  readonly tooltip: string;
  readonly icon: 'idle' | 'offline';
  readonly items: readonly MenuItemSpec[];
}

export function buildTrayView(state: TrayState): TrayView {
  const items: MenuItemSpec[] = [];
  if (state.connection === 'online') {
    items.push({ kind: 'label', label: `Engine ${state.engineVersion ?? ''} · online${state.demo ? ' · DEMO DATA' : ''}` });
    if (state.dataDir) items.push({ kind: 'label', label: `Reading ${state.dataDir}` });
  } else if (state.connection === 'connecting') {
    items.push({ kind: 'label', label: 'Connecting to the engine…' });
  } else {
    items.push({ kind: 'label', label: 'Engine offline' });
    if (state.lastError) items.push({ kind: 'label', label: state.lastError });
    items.push({ kind: 'action', label: 'Retry', action: 'retry', enabled: true });
  }
  items.push({ kind: 'separator' });
  items.push({ kind: 'action', label: 'Open dashboard', action: 'open-dashboard', enabled: state.connection === 'online' });
  items.push({ kind: 'separator' });
  items.push({ kind: 'action', label: 'Quit OpenCode Monitor', action: 'quit', enabled: true });
  return {
    tooltip: state.connection === 'online' ? 'OpenCode Monitor' : 'OpenCode Monitor (engine offline)',
    icon: state.connection === 'online' ? 'idle' : 'offline',
    items,
  };
}
