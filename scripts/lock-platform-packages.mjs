// Adds lockfile entries for platform-specific optional packages that the reachable registry does not serve.
//
// opencode-ai and ccusage ship their native binaries as one optional package per platform. The npm registry our
// machines reach serves only the linux-x64 ones, so `npm install` skips the rest and leaves them out of
// package-lock.json, and `npm ci` then refuses the lock as out of sync ("Missing: opencode-darwin-arm64@ from
// lock file"). An entry with the platform's os/cpu/libc lets `npm ci` accept the lock and skip the package as
// foreign. Run after any `npm install` that rewrites the lock: `node scripts/lock-platform-packages.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const OS = { darwin: 'darwin', linux: 'linux', windows: 'win32', win32: 'win32', freebsd: 'freebsd' };
const CPU = new Set(['x64', 'arm64', 'ia32', 'arm']);

/** os/cpu/libc from a package name such as `opencode-linux-x64-musl` or `@ccusage/ccusage-win32-arm64`. */
function platformOf(name) {
  const words = name.split('/').pop().split('-');
  const os = words.map((w) => OS[w]).find(Boolean);
  const cpu = words.find((w) => CPU.has(w));
  if (!os || !cpu) return undefined;
  return { os: [os], cpu: [cpu], ...(words.includes('musl') ? { libc: ['musl'] } : {}) };
}

const lockPath = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const added = [];
for (const [key, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const target = `node_modules/${name}`;
    if (lock.packages[target]) continue;
    const platform = platformOf(name);
    if (!platform) throw new Error(`${key} needs ${name}, which is neither in the lock nor a platform package`);
    lock.packages[target] = { version, ...platform, ...(entry.dev ? { dev: true } : {}), optional: true };
    added.push(name);
  }
}
const rank = (k) => (k === '' ? '' : k);
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : 0)));
writeFileSync(lockPath, JSON.stringify(lock, null, 2) + '\n');
console.log(`package-lock.json: ${added.length} platform package entries added${added.length ? ` (${added.join(', ')})` : ''}`);
