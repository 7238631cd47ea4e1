export { openExternal, quitApp, whenAppReady } from './app.js';
export { createTrayAdapter, toElectronTemplate, type TrayAdapter } from './trayAdapter.js';
