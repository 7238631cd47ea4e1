import { describe, expect, it } from 'vitest';
import { buildDemoDataset, DEMO_SEED } from './buildDataset.js';
import { DEMO_TITLE_PREFIX } from './dataset.js';

const NOW = Date.UTC(2026, 5, 14, 12, 0, 0);
const DAY_MS = 86_400_000;

describe('buildDemoDataset', () => {
  const dataset = buildDemoDataset({ seed: DEMO_SEED, now: NOW });

  it('is a pure function of seed and now', () => {
    expect(buildDemoDataset({ seed: DEMO_SEED, now: NOW })).toEqual(dataset);
    const otherSeed = buildDemoDataset({ seed: DEMO_SEED + 1, now: NOW });
    expect(otherSeed.sessions.map((s) => s.id)).not.toEqual(dataset.sessions.map((s) => s.id));
    const later = buildDemoDataset({ seed: DEMO_SEED, now: NOW + DAY_MS });
    expect(later.sessions.map((s) => s.timeCreated - DAY_MS)).toEqual(dataset.sessions.map((s) => s.timeCreated));
  });

  it('has about 30 sessions over the 14 days before now, all in the past, every title labelled', () => {
    expect(dataset.sessions.length).toBeGreaterThanOrEqual(25);
    expect(dataset.sessions.length).toBeLessThanOrEqual(40);
    for (const s of dataset.sessions) {
      expect(s.title.startsWith(DEMO_TITLE_PREFIX)).toBe(true);
      expect(s.timeCreated).toBeGreaterThan(NOW - 14 * DAY_MS);
      expect(s.timeUpdated).toBeLessThan(NOW);
    }
    const times = [...dataset.messages.map((m) => m.timeUpdated), ...dataset.parts.map((p) => p.timeUpdated)];
    expect(Math.max(...times)).toBeLessThan(NOW);
    // The 24 h filter is not empty.
    expect(dataset.sessions.some((s) => s.timeCreated > NOW - DAY_MS)).toBe(true);
  });

  it('has root, sub-agent and fork sessions, wired as OpenCode wires them', () => {
    const ids = new Set(dataset.sessions.map((s) => s.id));
    const children = dataset.sessions.filter((s) => s.parentId !== null);
    expect(children.length).toBeGreaterThanOrEqual(4);
    for (const child of children) expect(ids.has(child.parentId!)).toBe(true);
    const taskChildren = dataset.parts
      .filter((p) => p.data['type'] === 'tool' && p.data['tool'] === 'task')
      .map((p) => ((p.data['state'] as { metadata: { sessionId: string } }).metadata.sessionId));
    expect(new Set(taskChildren)).toEqual(new Set(children.map((c) => c.id)));
    const forks = dataset.sessions.filter((s) => s.title.endsWith('(fork #1)'));
    expect(forks).toHaveLength(1);
    expect(forks[0]!.parentId).toBeNull();
  });

  it('has every common part type and tool, in the 1,000–5,000 parts range', () => {
    expect(dataset.parts.length).toBeGreaterThan(1000);
    expect(dataset.parts.length).toBeLessThan(5000);
    const types = new Set(dataset.parts.map((p) => String(p.data['type'])));
    for (const type of ['text', 'reasoning', 'tool', 'step-start', 'step-finish', 'patch']) expect(types).toContain(type);
    const tools = new Set(dataset.parts.filter((p) => p.data['type'] === 'tool').map((p) => String(p.data['tool'])));
    for (const tool of ['bash', 'read', 'edit', 'write', 'grep', 'glob', 'webfetch', 'task', 'todowrite']) expect(tools).toContain(tool);
    expect(dataset.todoLists.length).toBeGreaterThan(0);
  });

  it('records usage the way OpenCode does: session columns are the sum of its step-finish parts', () => {
    for (const session of dataset.sessions) {
      const finishes = dataset.parts.filter((p) => p.sessionId === session.id && p.data['type'] === 'step-finish');
      const cost = finishes.reduce((sum, p) => sum + Number(p.data['cost']), 0);
      const input = finishes.reduce((sum, p) => sum + (p.data['tokens'] as { input: number }).input, 0);
      expect(session.usage.cost).toBeCloseTo(cost, 9);
      expect(session.usage.input).toBe(input);
    }
    expect(dataset.sessions.reduce((sum, s) => sum + s.usage.cost, 0)).toBeGreaterThan(0);
    const failed = dataset.messages.filter((m) => m.data['error'] !== undefined);
    expect(failed.length).toBeGreaterThan(0);
  });

  it('contains the risky actions the security audit flags', () => {
    const commands = dataset.parts
      .filter((p) => p.data['tool'] === 'bash')
      .map((p) => String(((p.data['state'] as { input: { command: string } }).input.command)));
    expect(commands.some((c) => /curl .*-X POST .*\.ssh\/id_rsa/.test(c))).toBe(true);
    expect(commands.some((c) => /curl .*\| sh$/.test(c))).toBe(true);
    const reads = dataset.parts.filter((p) => p.data['tool'] === 'read').map((p) => String(((p.data['state'] as { input: { filePath: string } }).input.filePath)));
    expect(reads.some((f) => f.endsWith('/.ssh/id_rsa'))).toBe(true);
  });
});

