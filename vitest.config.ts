import { defineConfig } from 'vitest/config';

/**
 * Three projects, one per kind of test (docs/development.md):
 * - unit: pure code beside its source (`foo.test.ts`) and fast cross-runtime tests in tests/;
 * - integration: real OpenCode, real SQLite, real sockets (`*.integration.test.ts`);
 * - browser: the built dashboard in the system Chromium (`tests/browser/*.browser.test.ts`).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: ['{shared,engine,ui,tray}/src/**/*.test.ts', 'tests/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/*.integration.test.ts', '**/*.browser.test.ts', '**/node_modules/**'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          environment: 'node',
          include: ['{shared,engine,ui,tray}/src/**/*.integration.test.ts', 'tests/**/*.integration.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Real OpenCode processes are heavy on 2 cores: run integration files one at a time.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'browser',
          environment: 'node',
          include: ['tests/browser/**/*.browser.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
