/** Where this installation lives: the package root, the built dashboard and the version. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** engine/src/config → package root. */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** `vite build` writes the dashboard here (vite.config.ts). */
export const UI_DIST_DIR = path.join(PACKAGE_ROOT, 'dist', 'ui');

export const ENGINE_VERSION: string = (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
