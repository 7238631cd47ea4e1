export { buildDemoDataset, DEMO_SEED } from './buildDataset.js';
export { DEMO_TITLE_PREFIX, type DemoDataset } from './dataset.js';
export {
  chooseStartData,
  DEMO_GENERATOR_VERSION,
  demoDataDirFor,
  demoNotice,
  ensureDemoDataDir,
  hasOpenCodeData,
  type DemoDataDir,
  type DemoOptions,
  type StartData,
} from './demoDataDir.js';
export { writeDemoDatabase } from './writeDatabase.js';
