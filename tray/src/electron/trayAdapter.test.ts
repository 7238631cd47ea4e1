import { describe, expect, it, vi } from 'vitest';

// The real `electron` module would try to download its binary; the adapter is tested against a stand-in.
const calls: { method: string; args: unknown[] }[] = [];
vi.mock('electron', () => {
  class Tray {
    constructor(...args: unknown[]) {
      calls.push({ method: 'new Tray', args });
    }
    setImage(...args: unknown[]) {
      calls.push({ method: 'setImage', args });
    }
    setToolTip(...args: unknown[]) {
      calls.push({ method: 'setToolTip', args });
    }
    setContextMenu(...args: unknown[]) {
      calls.push({ method: 'setContextMenu', args });
    }
    destroy() {
      calls.push({ method: 'destroy', args: [] });
    }
  }
  return {
    Tray,
    Menu: { buildFromTemplate: (template: unknown) => ({ template }) },
    nativeImage: { createFromPath: (p: string) => ({ path: p }) },
  };
});

const { createTrayAdapter } = await import('./trayAdapter.js');

describe('tray adapter', () => {
  it('renders the pure view into Electron calls and routes clicks to actions', () => {
    const actions: string[] = [];
    const adapter = createTrayAdapter({ idle: '/i/idle.png', offline: '/i/off.png' }, (a) => actions.push(a));
    adapter.render({
      tooltip: 'OpenCode Monitor',
      icon: 'idle',
      items: [
        { kind: 'label', label: 'Engine online' },
        { kind: 'separator' },
        { kind: 'action', label: 'Quit', action: 'quit', enabled: true },
      ],
    });
    expect(calls.map((c) => c.method)).toEqual(['new Tray', 'setImage', 'setToolTip', 'setContextMenu']);
    expect(calls[1]!.args[0]).toEqual({ path: '/i/idle.png' });
    expect(calls[2]!.args[0]).toBe('OpenCode Monitor');
    const menu = calls[3]!.args[0] as { template: { label?: string; enabled?: boolean; type?: string; click?: () => void }[] };
    expect(menu.template.map((i) => i.label ?? i.type)).toEqual(['Engine online', 'separator', 'Quit']);
    expect(menu.template[0]!.enabled).toBe(false);
    menu.template[2]!.click!();
    expect(actions).toEqual(['quit']);
  });
});
