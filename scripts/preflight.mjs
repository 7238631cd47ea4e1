// Makes sure the system programs the test suites need are present. As root on Debian it installs the missing
// packages; otherwise it stops with a message naming them. Used by `npm test` and by .ci/run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** program → Debian package. chromium: browser tests; ripgrep: OpenCode's glob/grep tools (else they try a download). */
export const SYSTEM_NEEDS = [
  { program: 'chromium', pkg: 'chromium', why: 'browser tests drive the system Chromium' },
  { program: 'rg', pkg: 'ripgrep', why: "OpenCode's glob and grep tools run rg (offline they cannot download it)" },
  { program: 'git', pkg: 'git', why: 'the OpenCode harness creates git projects' },
];

function has(program) {
  if (program === 'chromium' && process.env.CHROMIUM_PATH) return existsSync(process.env.CHROMIUM_PATH);
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

export function ensureSystemPackages(log = (line) => process.stdout.write(line + '\n')) {
  const missing = SYSTEM_NEEDS.filter((need) => !has(need.program));
  if (missing.length === 0) return true;
  const pkgs = missing.map((m) => m.pkg);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasApt) {
    for (const m of missing) log(`missing: ${m.program} (${m.why})`);
    log(`Install the Debian package(s): sudo apt-get install -y ${pkgs.join(' ')}`);
    return false;
  }
  log(`installing Debian package(s): ${pkgs.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
  return SYSTEM_NEEDS.every((need) => has(need.program));
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(ensureSystemPackages() ? 0 : 1);
