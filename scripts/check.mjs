// Static checks: per-runtime type checking through project references (vue-tsc -b also checks .vue files),
// then dependency rules (.dependency-cruiser.cjs). `npm run check`, and the first steps of `npm test`.
import { spawnSync } from 'node:child_process';

export const CHECKS = [
  { name: 'typecheck (tsc project references: shared, engine, ui, tray, tests)', cmd: 'npx', args: ['--no-install', 'vue-tsc', '-b'] },
  { name: 'dependency rules (dependency-cruiser)', cmd: 'npx', args: ['--no-install', 'depcruise', 'shared', 'engine', 'ui', 'tray', 'tests', '--config', '.dependency-cruiser.cjs'] },
];

export function runStep(step) {
  const started = Date.now();
  process.stdout.write(`\n▶ ${step.name}\n`);
  const result = spawnSync(step.cmd, step.args, { stdio: 'inherit', env: { ...process.env, npm_config_loglevel: 'error' } });
  const ok = result.status === 0;
  process.stdout.write(`${ok ? '✔' : '✘'} ${step.name} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  return ok;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = CHECKS.map(runStep);
  process.exit(results.every(Boolean) ? 0 : 1);
}
