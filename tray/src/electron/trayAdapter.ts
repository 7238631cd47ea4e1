/**
 * The only file that imports Electron's tray and menu. It turns a `TrayView` into an Electron Tray and menu, and
 * shows desktop notifications; everything it shows is decided by the pure modules. Not exercised with a real
 * Electron binary in CI (none can be downloaded there); tested with a mocked `electron` module.
 */
import { Menu, Notification, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';
import type { DesktopNotification, MenuAction, MenuItemSpec, TrayView } from '../menu/index.js';

export interface TrayAdapter {
  render(view: TrayView): void;
  notify(notification: DesktopNotification): void;
  destroy(): void;
}

export function toElectronTemplate(items: readonly MenuItemSpec[], onAction: (action: MenuAction) => void): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'label':
        return { label: item.label, enabled: false, ...(item.tooltip ? { toolTip: item.tooltip } : {}) };
      case 'action':
        return { label: item.label, enabled: item.enabled, click: () => onAction(item.action) };
      case 'submenu':
        return { label: item.label, submenu: toElectronTemplate(item.items, onAction) };
    }
  });
}

export function createTrayAdapter(iconPaths: Record<TrayView['icon'], string>, onAction: (action: MenuAction) => void): TrayAdapter {
  const tray = new Tray(nativeImage.createFromPath(iconPaths.offline));
  return {
    render(view) {
      tray.setImage(nativeImage.createFromPath(iconPaths[view.icon]));
      tray.setToolTip(view.tooltip);
      tray.setTitle(view.title);
      tray.setContextMenu(Menu.buildFromTemplate(toElectronTemplate(view.items, onAction)));
    },
    notify(n) {
      if (!Notification.isSupported()) return;
      new Notification({ title: n.title, body: n.body, urgency: n.urgent ? 'critical' : 'normal' }).show();
    },
    destroy: () => tray.destroy(),
  };
}
