export { createLiveMonitor, type LiveMonitor, type LiveMonitorOptions } from './liveMonitor.js';
export { createLiveHub, type LiveChange, type LiveHub } from './liveHub.js';
export { inferredInstanceChange, inferredInstanceId } from './inferredInstance.js';
export { formatStatus } from './formatStatus.js';
export { AUDIT_SOURCE_ID, createFindingAlerts, type FindingAlerts, type FindingRow } from './findingAlerts.js';
