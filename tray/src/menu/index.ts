export { buildTrayView, type MenuAction, type MenuItemSpec, type TrayView } from './buildMenuTemplate.js';
