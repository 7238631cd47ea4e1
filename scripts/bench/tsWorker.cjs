// Worker entry for the benchmark's TypeScript workers. Node 20 cannot start a .ts worker itself; with
// `execArgv: ['--import', 'tsx']` tsx's require hook is active in a worker whose entry is a CommonJS file
// (not in an eval'd one, and import() of .ts fails there), so this file require()s the module named in workerData.
const { workerData } = require('node:worker_threads');
require(workerData.module);
