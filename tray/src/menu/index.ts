export { buildTrayView, type MenuAction, type MenuItemSpec, type PermissionReply, type TrayView } from './buildMenuTemplate.js';
export { liveItems, summarize, trayTitle, type LiveSummary } from './liveItems.js';
export { desktopNotification, type DesktopNotification } from './notifications.js';
