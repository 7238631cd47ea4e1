import { describe, expect, it } from 'vitest';
import { initialTrayState, reduceTrayState } from '../state/index.js';
import { buildTrayView } from './buildMenuTemplate.js';

const hello = {
  type: 'hello',
  protocolVersion: 1,
  schemaVersion: 1,
  engineVersion: '0.1.0',
  tables: ['sources'],
  demo: true,
  dataDir: '/home/ann/.local/share/opencode',
} as const;

describe('tray view', () => {
  it('offers Retry and disables the dashboard while the engine is offline', () => {
    const state = reduceTrayState(initialTrayState('http://127.0.0.1:19876/'), { type: 'disconnected', reason: 'ECONNREFUSED' });
    const view = buildTrayView(state);
    expect(view.icon).toBe('offline');
    expect(view.items).toContainEqual({ kind: 'action', label: 'Retry', action: 'retry', enabled: true });
    expect(view.items).toContainEqual({ kind: 'action', label: 'Open dashboard', action: 'open-dashboard', enabled: false });
    expect(view.items).toContainEqual({ kind: 'label', label: 'ECONNREFUSED' });
  });

  it('shows the engine, the data dir and the demo label once hello arrives', () => {
    const state = reduceTrayState(initialTrayState('u'), { type: 'message', message: hello });
    const view = buildTrayView(state);
    expect(view.items[0]).toEqual({ kind: 'label', label: 'Engine 0.1.0 · online · DEMO DATA' });
    expect(view.items[1]).toEqual({ kind: 'label', label: 'Reading /home/ann/.local/share/opencode' });
    expect(view.items).toContainEqual({ kind: 'action', label: 'Open dashboard', action: 'open-dashboard', enabled: true });
  });
});
