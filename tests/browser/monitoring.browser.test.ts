/**
 * The dashboard's Monitoring section in the system Chromium, against a real `opencode serve` driven by the fake
 * model: the instance shows connected; a bash command that needs permission appears in the page with its risk
 * badge, is allowed from the page, and OpenCode finishes the turn; a question is answered by clicking its option.
 * Every wait is bounded, and everything listens on 127.0.0.1 only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, scenarioMarker, scenarios, startFakeModel, startOpencode } from '../harness/index.js';
import type { FakeModel, OpencodeInstance, Scenario } from '../harness/index.js';
import { startEngine, type EngineProcess } from '../support/engineProcess.js';
import { launchChromium, type Browser } from './chromium.js';

const WAIT_MS = 45_000;

let fm: FakeModel | undefined;
let oc: OpencodeInstance | undefined;
let engine: EngineProcess | undefined;
let browser: Browser | undefined;
let page: Page;
let work = '';
const consoleErrors: string[] = [];

const need = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new Error(`${what} not started`);
  return value;
};

const instanceCard = (): Locator => page.locator(`[data-testid="live-instance"][data-instance-id="http://127.0.0.1:${need(oc, 'opencode').port}"]`);
const sessionRow = (sessionId: string): Locator => instanceCard().locator(`[data-testid="live-session"][data-session-id="${sessionId}"]`);

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ocm-monitoring-'));
  fm = await startFakeModel();
  oc = await startOpencode({ fakeModelUrl: fm.url });
  engine = await startEngine(['--data-dir', oc.dataDir, '--state-dir', join(work, 'state')]);
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  await page.goto(engine.url);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  const code = await engine?.stop();
  await oc?.stop();
  await fm?.close();
  if (work) await rm(work, { recursive: true, force: true });
  expect(code, engine?.output()).toBe(0);
});

describe('Monitoring panel in Chromium', () => {
  it('shows the running OpenCode as connected, with its version', async () => {
    await instanceCard().and(page.locator('[data-connection="connected"]')).waitFor({ timeout: WAIT_MS });
    expect(await instanceCard().getByTestId('instance-version').textContent()).toMatch(/OpenCode \d+\.\d+\.\d+/);
  });

  it('allows a pending permission from the page, and OpenCode finishes the turn', async () => {
    const id = 'browser-permission';
    const scenario: Scenario = {
      ...scenarios.permissionApproved,
      id,
      prompt: `Clean up. ${scenarioMarker(id)}`,
      sessionPermission: [{ permission: 'bash', pattern: 'rm *', action: 'ask' }],
      script: () => ({ [id]: [{ toolCalls: [{ name: 'bash', args: { command: 'rm -rf ./build-output' } }] }, { text: 'Cleaned.' }] }),
      drive: async ({ sessionId }) => {
        const request = instanceCard().locator(`[data-testid="live-permission"][data-session-id="${sessionId}"]`);
        await request.waitFor({ timeout: WAIT_MS });
        // Waiting for the answer, the agent is busy and its bash call runs with its argument.
        await sessionRow(sessionId).and(page.locator('[data-status="busy"]')).waitFor({ timeout: WAIT_MS });
        const tool = sessionRow(sessionId).locator('[data-testid="live-tool"][data-tool="bash"]');
        await tool.waitFor({ timeout: WAIT_MS });
        const shown = {
          id: await request.getAttribute('data-permission-id'),
          summary: await request.getByTestId('permission-summary').textContent(),
          level: await request.getByTestId('risk-badge').getAttribute('data-level'),
          badge: await request.getByTestId('risk-badge').textContent(),
          reason: await request.getByTestId('risk-reason').textContent(),
          toolArgument: await tool.locator('code').textContent(),
          elapsed: await tool.getByTestId('tool-elapsed').textContent(),
        };
        await page.locator('[data-testid="toast"][data-type="permission.asked"]').first().waitFor({ timeout: WAIT_MS });
        await page.screenshot({ path: join(tmpdir(), 'ocm-monitoring-permission.png'), fullPage: true });
        await request.getByRole('button', { name: 'Allow once' }).click();
        return shown;
      },
      expect: { notes: 'bash completed after the reply from the page', tools: [{ tool: 'bash', status: 'completed' }] },
    };
    const run = await runScenario(need(oc, 'opencode'), need(fm, 'fake model'), scenario, { timeoutMs: 90_000 });
    const shown = run.driverResult as Record<string, string | null>;
    expect(shown['summary']).toContain('rm -rf ./build-output');
    expect(['low', 'medium', 'high', 'critical']).toContain(shown['level']);
    expect(shown['badge']).toMatch(new RegExp(`${shown['level']} · \\d+/100`, 'i'));
    expect(shown['reason']?.trim()).not.toBe('');
    expect(shown['toolArgument']).toContain('rm -rf ./build-output');
    expect(shown['elapsed']).toMatch(/^\d+s$|^\d+m \d\ds$/);
    expect(run.messages.flatMap((m) => m.parts).find((p) => p.type === 'tool')?.state?.status).toBe('completed');

    // Answered, the request leaves the page and the session goes idle, with a "finished" toast.
    await instanceCard().locator(`[data-permission-id="${shown['id']}"]`).waitFor({ state: 'detached', timeout: WAIT_MS });
    await sessionRow(run.sessionId).and(page.locator('[data-status="idle"]')).waitFor({ timeout: WAIT_MS });
    await page.locator('[data-testid="toast"][data-type="session.finished"]').first().waitFor({ timeout: WAIT_MS });
  });

  it('answers a question by clicking its option in the page', async () => {
    const id = 'browser-question';
    const steps = scenarios.questionAnswered.script({ projectDir: need(oc, 'opencode').projectDir, home: need(oc, 'opencode').home })['question'];
    const scenario: Scenario = {
      ...scenarios.questionAnswered,
      id,
      prompt: `Pick a colour for the theme. ${scenarioMarker(id)}`,
      script: () => ({ [id]: need(steps, 'question script') }),
      drive: async ({ sessionId }) => {
        const request = instanceCard().locator(`[data-testid="live-question"][data-session-id="${sessionId}"]`);
        await request.waitFor({ timeout: WAIT_MS });
        await sessionRow(sessionId).and(page.locator('[data-status="busy"]')).waitFor({ timeout: WAIT_MS });
        const options = await request.getByTestId('question-option').allTextContents();
        const questionId = await request.getAttribute('data-question-id');
        await request.getByRole('button', { name: /^Blue/ }).click();
        return { options, questionId };
      },
    };
    const run = await runScenario(need(oc, 'opencode'), need(fm, 'fake model'), scenario, { timeoutMs: 90_000 });
    const shown = run.driverResult as { options: string[]; questionId: string };
    expect(shown.options.map((o) => o.trim())).toEqual(['Blue — Calm', 'Red — Loud']);
    const part = run.messages.flatMap((m) => m.parts).find((p) => p.type === 'tool');
    expect(part?.state?.status).toBe('completed');
    expect((part?.state?.['metadata'] as { answers?: unknown } | undefined)?.answers).toEqual([['Blue']]);
    await instanceCard().locator(`[data-question-id="${shown.questionId}"]`).waitFor({ state: 'detached', timeout: WAIT_MS });
    await sessionRow(run.sessionId).and(page.locator('[data-status="idle"]')).waitFor({ timeout: WAIT_MS });
    await page.screenshot({ path: join(tmpdir(), 'ocm-monitoring.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
  });
});
