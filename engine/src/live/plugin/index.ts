/**
 * The OpenCode plugin bridge: exact live state for plain TUIs and `opencode run`, which open no port.
 * - `installPlugin` / `uninstallPlugin` put the shipped plugin (asset/opencode-monitor.js) into OpenCode's
 *   plugin folder and take only that file out again;
 * - `writeBridgeFile` publishes the engine's loopback port and a token for the plugin to find;
 * - `parseBridgePayload` and `isBridgeAuthorized` are the receiving route's pure core: each accepted
 *   `BridgeEvent` has the shape of an OpenCode `/event` payload and feeds the live-state reducer unchanged.
 */
export {
  BRIDGE_EVENT_TYPES,
  BRIDGE_EVENTS_PATH,
  BRIDGE_WIRE_VERSION,
  MAX_BRIDGE_BODY_BYTES,
  MAX_BRIDGE_EVENTS,
  isBridgeAuthorized,
  parseBridgePayload,
  type BridgeBatch,
  type BridgeEvent,
  type BridgeEventType,
  type BridgeRejections,
} from './payload.js';
export {
  BRIDGE_FILE_NAME,
  bridgeFilePath,
  createBridgeToken,
  parseBridgeEndpoint,
  readBridgeFile,
  removeBridgeFile,
  writeBridgeFile,
  type BridgeEndpoint,
  type LoopbackHost,
} from './bridgeFile.js';
export {
  PLUGIN_FILE_NAME,
  installPlugin,
  isOurPlugin,
  openCodeConfigDir,
  pluginInstallPath,
  uninstallPlugin,
  type InstallOptions,
  type InstallOutcome,
  type PluginLocationOptions,
  type UninstallOutcome,
} from './install.js';
export { handleBridgeRequest, type BridgeReceiver } from './receiver.js';
