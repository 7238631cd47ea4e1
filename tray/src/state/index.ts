export { initialTrayState, reduceTrayState, type TrayEvent, type TrayState } from './trayState.js';
