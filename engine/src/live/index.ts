export * from './discovery/index.js';
export * from './follow/index.js';
export * from './state/index.js';
export * from './inferred/index.js';
export * from './plugin/index.js';
export * from './monitor/index.js';
export * from './extras/index.js';
