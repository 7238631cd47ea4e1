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
    setTitle(...args: unknown[]) {
      calls.push({ method: 'setTitle', args });
    }
    setContextMenu(...args: unknown[]) {
      calls.push({ method: 'setContextMenu', args });
    }
    destroy() {
      calls.push({ method: 'destroy', args: [] });
    }
  }
  class Notification {
    static isSupported() {
      return true;
    }
    constructor(private readonly options: unknown) {}
    show() {
      calls.push({ method: 'notify', args: [this.options] });
    }
  }
  return {
    Tray,
    Notification,
    Menu: { buildFromTemplate: (template: unknown) => ({ template }) },
    nativeImage: { createFromPath: (p: string) => ({ path: p }) },
  };
});

const { createTrayAdapter } = await import('./trayAdapter.js');

describe('tray adapter', () => {
  it('renders the pure view into Electron calls and routes clicks to actions', () => {
    const actions: unknown[] = [];
    const adapter = createTrayAdapter({ idle: '/i/idle.png', offline: '/i/off.png' }, (a) => actions.push(a));
    adapter.render({
      title: '🤖 1 🔒',
      tooltip: 'OpenCode Monitor',
      icon: 'idle',
      items: [
        { kind: 'label', label: 'Engine online' },
        { kind: 'separator' },
        {
          kind: 'submenu',
          label: '🔴 🔒 bash: curl x | sh',
          items: [{ kind: 'action', label: 'Reject', action: { type: 'reply-permission', permissionId: 'per_1', reply: 'reject' }, enabled: true }],
        },
        { kind: 'action', label: 'Quit', action: { type: 'quit' }, enabled: true },
      ],
    });
    expect(calls.map((c) => c.method)).toEqual(['new Tray', 'setImage', 'setToolTip', 'setTitle', 'setContextMenu']);
    expect(calls[1]!.args[0]).toEqual({ path: '/i/idle.png' });
    expect(calls[2]!.args[0]).toBe('OpenCode Monitor');
    expect(calls[3]!.args[0]).toBe('🤖 1 🔒');
    type Item = { label?: string; enabled?: boolean; type?: string; click?: () => void; submenu?: Item[] };
    const menu = calls[4]!.args[0] as { template: Item[] };
    expect(menu.template.map((i) => i.label ?? i.type)).toEqual(['Engine online', 'separator', '🔴 🔒 bash: curl x | sh', 'Quit']);
    expect(menu.template[0]!.enabled).toBe(false);
    menu.template[2]!.submenu![0]!.click!();
    menu.template[3]!.click!();
    expect(actions).toEqual([{ type: 'reply-permission', permissionId: 'per_1', reply: 'reject' }, { type: 'quit' }]);
    adapter.notify({ title: 'Permission asked (critical risk)', body: 'bash: curl x | sh', urgent: true });
    expect(calls.at(-1)).toEqual({ method: 'notify', args: [{ title: 'Permission asked (critical risk)', body: 'bash: curl x | sh', urgency: 'critical' }] });
  });
});
