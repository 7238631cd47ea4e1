import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeModel } from './fakeModel.js';
import type { FakeModel } from './fakeModel.js';
import { findScenarioId, scenarioMarker } from './fakeScript.js';
import { normalizeOpenAiRequest } from './openAiFormat.js';
import { expectedCost, expectedTokens } from './expectedUsage.js';

const TOOLS = [{ type: 'function', function: { name: 'bash', parameters: {} } }];

interface Chunk {
  choices: Array<{ delta: Record<string, unknown>; finish_reason: string | null }>;
  usage?: Record<string, unknown>;
}

/** Posts a chat request and returns the decoded SSE data payloads (`[DONE]` kept as a string). */
async function chat(fm: FakeModel, messages: unknown[], extra: Record<string, unknown> = {}): Promise<{ status: number; frames: Array<Chunk | string>; body: string }> {
  const res = await fetch(`${fm.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'fake-model', stream: true, stream_options: { include_usage: true }, tools: TOOLS, messages, ...extra }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await res.text();
  const frames = body
    .split('\n\n')
    .map((b) => b.trim())
    .filter((b) => b.startsWith('data: '))
    .map((b) => b.slice(6))
    .map((d) => (d === '[DONE]' ? d : (JSON.parse(d) as Chunk)));
  return { status: res.status, frames, body };
}

const chunks = (frames: Array<Chunk | string>): Chunk[] => frames.filter((f): f is Chunk => typeof f !== 'string');
const joined = (frames: Array<Chunk | string>, key: string): string =>
  chunks(frames)
    .map((c) => c.choices[0]?.delta[key])
    .filter((x): x is string => typeof x === 'string')
    .join('');
const user = (content: unknown): unknown => ({ role: 'user', content });

describe('fakeModel script logic', () => {
  it('finds the most recent scenario marker', () => {
    expect(findScenarioId(['a [[scenario:one]]', 'no marker'])).toBe('one');
    expect(findScenarioId(['[[scenario:one]]', 'x [[scenario:two.child]]'])).toBe('two.child');
    expect(findScenarioId(['nothing'])).toBeUndefined();
    expect(scenarioMarker('x')).toBe('[[scenario:x]]');
  });

  it('counts tool rounds after the last user message', () => {
    const req = normalizeOpenAiRequest({
      tools: TOOLS,
      messages: [
        { role: 'system', content: 'sys' },
        user('old'),
        { role: 'assistant', content: '', tool_calls: [{ id: 'a' }] },
        { role: 'tool', content: 'x' },
        user([{ type: 'text', text: 'new [[scenario:s]]' }]),
        { role: 'assistant', content: '', tool_calls: [{ id: 'b' }, { id: 'c' }] },
        { role: 'tool', content: 'y' },
        { role: 'tool', content: 'z' },
      ],
    });
    expect(req.toolRounds).toBe(1);
    expect(req.userTexts.at(-1)).toContain('[[scenario:s]]');
    expect(req.tools).toEqual(['bash']);
  });

  it('derives OpenCode token fields and cost from script usage', () => {
    const t = expectedTokens({ prompt: 1202, cached: 200, completion: 40, reasoning: 10 });
    expect(t).toEqual({ total: 1242, input: 1002, output: 30, reasoning: 10, cache: { read: 200, write: 0 } });
    expect(expectedCost(t)).toBeCloseTo(0.003666, 9);
  });
});

describe('fakeModel server', () => {
  let fm: FakeModel;
  beforeAll(async () => {
    fm = await startFakeModel({ title: 'Scripted title' });
  });
  afterAll(async () => {
    await fm.close();
  });

  it('lists its model', async () => {
    const res = await fetch(`${fm.url}/models`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: Array<{ id: string }> }).data[0]?.id).toBe('fake-model');
    expect(fm.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  });

  it('streams reasoning and text in pieces, then finish and a usage chunk', async () => {
    fm.setScript('text', [{ reasoning: 'Thinking it over.', text: 'Hello from a scripted step!', chunkSize: 5, usage: { prompt: 900, cached: 100, completion: 30, reasoning: 5 } }]);
    const { status, frames } = await chat(fm, [user(`hi ${scenarioMarker('text')}`)]);
    expect(status).toBe(200);
    expect(joined(frames, 'reasoning_content')).toBe('Thinking it over.');
    expect(joined(frames, 'content')).toBe('Hello from a scripted step!');
    expect(chunks(frames).filter((c) => typeof c.choices[0]?.delta.content === 'string').length).toBeGreaterThan(3);
    expect(chunks(frames).find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe('stop');
    const usage = chunks(frames).find((c) => c.usage)?.usage;
    expect(usage).toMatchObject({
      prompt_tokens: 900,
      completion_tokens: 30,
      total_tokens: 930,
      prompt_tokens_details: { cached_tokens: 100 },
      completion_tokens_details: { reasoning_tokens: 5 },
    });
    expect(frames.at(-1)).toBe('[DONE]');
  });

  it('emits parallel tool calls and picks the step from the tool rounds', async () => {
    fm.setScript('tools', [
      { toolCalls: [{ name: 'bash', args: { command: 'ls' } }, { name: 'read', args: { filePath: '/x' }, id: 'call_fixed' }] },
      { text: 'after tools' },
    ]);
    const first = await chat(fm, [user(`go ${scenarioMarker('tools')}`)]);
    const calls = new Map<number, { id?: string; name?: string; args: string }>();
    for (const c of chunks(first.frames)) {
      for (const tc of (c.choices[0]?.delta.tool_calls ?? []) as Array<{ index: number; id?: string; function?: { name?: string; arguments?: string } }>) {
        const cur = calls.get(tc.index) ?? { args: '' };
        if (tc.id) cur.id = tc.id;
        if (tc.function?.name) cur.name = tc.function.name;
        cur.args += tc.function?.arguments ?? '';
        calls.set(tc.index, cur);
      }
    }
    expect(calls.get(0)?.name).toBe('bash');
    expect(JSON.parse(calls.get(0)?.args ?? '')).toEqual({ command: 'ls' });
    expect(calls.get(1)).toMatchObject({ id: 'call_fixed', name: 'read' });
    expect(chunks(first.frames).find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe('tool_calls');

    const second = await chat(fm, [
      user(`go ${scenarioMarker('tools')}`),
      { role: 'assistant', content: '', tool_calls: [{ id: 'a', type: 'function', function: { name: 'bash', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'a', content: 'ok' },
    ]);
    expect(joined(second.frames, 'content')).toBe('after tools');
    expect(fm.requestsFor('tools').map((r) => r.stepIndex)).toEqual([0, 1]);
    expect(fm.requestsFor('tools')[1]).toMatchObject({ kind: 'chat', tools: ['bash'], messageCount: 3 });
  });

  it('answers title and summary requests without tools', async () => {
    const title = await chat(fm, [{ role: 'system', content: 'You are a title generator.' }, user('x')], { tools: undefined });
    expect(joined(title.frames, 'content')).toBe('Scripted title');
    const summary = await chat(fm, [{ role: 'system', content: 'Summarise the conversation.' }, user('x')], { tools: undefined });
    expect(joined(summary.frames, 'content')).toMatch(/Summary/);
  });

  it('falls back to plain text without a marker or past the end of a script', async () => {
    expect(joined((await chat(fm, [user('no marker')])).frames, 'content')).toBe('Done.');
  });

  it('returns scripted HTTP errors: permanent, and once-per-attempt failures', async () => {
    fm.setScript('bad', [{ error: { status: 400, body: { error: { message: 'nope' } } } }]);
    const bad = await chat(fm, [user(scenarioMarker('bad'))]);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toEqual({ error: { message: 'nope' } });
    expect((await chat(fm, [user(scenarioMarker('bad'))])).status).toBe(400);

    fm.setScript('flaky', [{ failures: [{ status: 503 }, { status: 429, headers: { 'retry-after': '0' } }], text: 'finally' }]);
    const attempts = [];
    for (let i = 0; i < 3; i++) attempts.push(await chat(fm, [user(scenarioMarker('flaky'))]));
    expect(attempts.map((a) => a.status)).toEqual([503, 429, 200]);
    expect(joined(attempts[2]?.frames ?? [], 'content')).toBe('finally');
    expect(fm.requestsFor('flaky').map((r) => [r.attempt, r.status, r.outcome])).toEqual([
      [0, 503, 'error'],
      [1, 429, 'error'],
      [2, 200, 'completed'],
    ]);
  });

  it('honours delays and survives a client that disconnects mid-stream', async () => {
    fm.setScript('slow', [{ text: 'x'.repeat(40), chunkSize: 1, chunkDelayMs: 50, delayMs: 150 }]);
    const t0 = Date.now();
    const ac = new AbortController();
    const res = await fetch(`${fm.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tools: TOOLS, messages: [user(scenarioMarker('slow'))] }),
      signal: ac.signal,
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    const reader = res.body?.getReader();
    await reader?.read();
    ac.abort();
    await expect(reader?.read()).rejects.toThrow();
    // The server noticed and keeps serving.
    await expect.poll(() => fm.requestsFor('slow')[0]?.outcome, { timeout: 3000 }).toBe('aborted');
    expect((await fetch(`${fm.url}/models`)).status).toBe(200);
  });

  it('speaks the Anthropic Messages stream with cache-write usage', async () => {
    fm.setScript('anth', [{ reasoning: 'hm', text: 'Hi', toolCalls: [{ name: 'bash', args: { command: 'ls' } }], usage: { prompt: 5000, cached: 1000, cacheWrite: 2000, completion: 100 } }]);
    const res = await fetch(`${fm.url}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fake-model', stream: true, tools: [{ name: 'bash' }], messages: [user(scenarioMarker('anth'))] }),
    });
    const events = (await res.text())
      .split('\n\n')
      .filter((b) => b.includes('data: '))
      .map((b) => JSON.parse(b.slice(b.indexOf('data: ') + 6)) as Record<string, unknown> & { type: string });
    expect(events[0]).toMatchObject({
      type: 'message_start',
      message: { usage: { input_tokens: 2000, cache_read_input_tokens: 1000, cache_creation_input_tokens: 2000 } },
    });
    const starts = events.filter((e) => e.type === 'content_block_start').map((e) => (e.content_block as { type: string }).type);
    expect(starts).toEqual(['thinking', 'text', 'tool_use']);
    expect(events.find((e) => e.type === 'message_delta')).toMatchObject({ delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 100 } });
    expect(events.at(-1)?.type).toBe('message_stop');
    expect(fm.requestsFor('anth')[0]).toMatchObject({ format: 'anthropic', stepIndex: 0, tools: ['bash'] });
  });

  it('answers unknown routes with 404 and bad JSON with 400', async () => {
    expect((await fetch(`${fm.url}/nope`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(`${fm.url}/chat/completions`, { method: 'POST', body: '{not json' })).status).toBe(400);
  });
});
