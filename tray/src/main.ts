/**
 * Composition root of the Electron main process: reads the engine URL and token, follows the engine, and
 * re-renders the tray from state on every change. Run with an Electron binary:
 *   electron tray/src/main.ts (through a TypeScript loader) with OPENCODE_MONITOR_URL set.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTrayAdapter, openExternal, quitApp, whenAppReady } from './electron/index.js';
import { connectEngineLink } from './engineLink/index.js';
import { buildTrayView } from './menu/index.js';
import { initialTrayState, reduceTrayState } from './state/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const configHome = process.env.XDG_CONFIG_HOME || path.join(process.env.HOME ?? '', '.config');
const engineUrl = process.env.OPENCODE_MONITOR_URL ?? 'http://127.0.0.1:19876';
const token = readFileSync(path.join(configHome, 'opencode-monitor', 'token'), 'utf8').trim();

await whenAppReady();
let state = initialTrayState(engineUrl);
const icons = { idle: path.join(here, 'electron', 'icons', 'idle.png'), offline: path.join(here, 'electron', 'icons', 'offline.png') };
const link = connectEngineLink({
  engineUrl,
  token,
  onEvent(event) {
    state = reduceTrayState(state, event);
    adapter.render(buildTrayView(state));
  },
});
const adapter = createTrayAdapter(icons, (action) => {
  if (action === 'open-dashboard') void openExternal(`${engineUrl}/?token=${token}`);
  else if (action === 'retry') link.retryNow();
  else quitApp();
});
adapter.render(buildTrayView(state));
