/**
 * Platform scanners behind one interface: every process (or the selected ones) with its listening TCP sockets.
 * Linux reads /proc; macOS runs lsof and ps; Windows runs netstat and tasklist. Parsers are pure and tested
 * against fixtures of each tool's real output.
 */
export { listListeningProcesses, isDiscoveryPlatform } from './processes.js';
export type { ListProcessesOptions } from './processes.js';
export { createExecRunner } from './commandScan.js';
export type { CommandRunner } from './commandScan.js';
export { loopbackHostFor, parseListenAddress } from './listenAddress.js';
