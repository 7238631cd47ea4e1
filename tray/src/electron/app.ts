/** The Electron app lifecycle and shell calls the tray needs, kept here so only this folder imports Electron. */
import { app, shell } from 'electron';

export const whenAppReady = (): Promise<void> => app.whenReady();
export const openExternal = (url: string): Promise<void> => shell.openExternal(url);
export const quitApp = (): void => app.quit();
