/**
 * Composition root of the Electron main process: reads the engine URL and token, follows the engine's live
 * state, re-renders the tray from state on every change (and every second, for elapsed times), shows desktop
 * notifications, and answers permissions through the engine. Run with an Electron binary:
 *   electron tray/src/main.ts (through a TypeScript loader) with OPENCODE_MONITOR_URL set.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTrayAdapter, openExternal, quitApp, whenAppReady } from './electron/index.js';
import { connectEngineLink, replyPermission } from './engineLink/index.js';
import { buildTrayView, desktopNotification, type MenuAction } from './menu/index.js';
import { initialTrayState, reduceTrayState } from './state/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const configHome = process.env.XDG_CONFIG_HOME || path.join(process.env.HOME ?? '', '.config');
const engineUrl = process.env.OPENCODE_MONITOR_URL ?? 'http://127.0.0.1:19876';
const token = readFileSync(path.join(configHome, 'opencode-monitor', 'token'), 'utf8').trim();

await whenAppReady();
let state = initialTrayState(engineUrl);
const icons = { idle: path.join(here, 'electron', 'icons', 'idle.png'), offline: path.join(here, 'electron', 'icons', 'offline.png') };
const render = () => adapter.render(buildTrayView(state));

const onAction = (action: MenuAction) => {
  switch (action.type) {
    case 'open-dashboard':
      return void openExternal(`${engineUrl}/?token=${token}`);
    case 'retry':
      return link.retryNow();
    case 'quit':
      return quitApp();
    case 'reply-permission':
      return void replyPermission(engineUrl, token, action.permissionId, action.reply).then((result) => {
        if (!result.ok) adapter.notify({ title: 'The reply did not go through', body: result.problem.message, urgent: false });
      });
  }
};

const adapter = createTrayAdapter(icons, onAction);
const link = connectEngineLink({
  engineUrl,
  token,
  onEvent(event) {
    state = reduceTrayState(state, event);
    if (event.type === 'message' && event.message.type === 'notification') {
      const shown = desktopNotification(event.message.notification);
      if (shown) adapter.notify(shown);
    }
    render();
  },
});
render();
// Elapsed times of running tools move on their own.
setInterval(render, 1000).unref();
