import { describe, expect, it } from 'vitest';
import { spawnManaged } from './managedProcess.js';

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

describe('spawnManaged', () => {
  it('stops gracefully with SIGINT and captures output', async () => {
    const p = spawnManaged('sh', ['-c', 'echo ready; exec sleep 30'], { cwd: process.cwd(), env });
    await expect.poll(() => p.stdout.text(), { timeout: 5000 }).toContain('ready');
    expect(await p.stop({ graceMs: 5000 })).toEqual({ code: null, signal: 'SIGINT' });
  });

  it('escalates to SIGKILL when SIGINT is ignored, and reaps the process group', async () => {
    // The shell ignores INT and leaves a grandchild; both must go.
    const p = spawnManaged('sh', ['-c', 'trap "" INT; sleep 30 & echo $!; wait'], { cwd: process.cwd(), env });
    await expect.poll(() => p.stdout.text().trim(), { timeout: 5000 }).toMatch(/^\d+$/);
    const grandchild = Number(p.stdout.text().trim());
    const t0 = Date.now();
    const info = await p.stop({ graceMs: 300 });
    expect(info.signal).toBe('SIGKILL');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(p.output.text()).toContain('sending SIGKILL');
    await expect.poll(() => {
      try {
        process.kill(grandchild, 0);
        return 'alive';
      } catch {
        return 'gone';
      }
    }, { timeout: 3000 }).toBe('gone');
  });

  it('reports a binary that cannot start', async () => {
    const p = spawnManaged('/nonexistent/opencode', [], { cwd: process.cwd(), env });
    expect((await p.exited).code).toBe(-1);
    expect(p.output.text()).toContain('spawn error');
  });
});
