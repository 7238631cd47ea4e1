export { ENGINE_VERSION, PACKAGE_ROOT, UI_DIST_DIR } from './install.js';
export { resolvePaths, type MonitorPaths } from './paths.js';
