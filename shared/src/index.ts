/** The contract shared by engine, ui and tray: schema, wire protocol and error shapes. Imports nothing. */
export * from './errors/index.js';
export * from './protocol/index.js';
export * from './schema/index.js';
export * from './live/index.js';
