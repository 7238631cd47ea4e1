/**
 * The shipped plugin's logic, driven through its injected clock, timers, fetch and file reader: no network,
 * no real time. The real thing inside real OpenCode is covered by tests/integration/plugin.integration.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OpencodeMonitorBridge } from './asset/opencode-monitor.js';
import type { BridgeDeps, FetchLikeResponse } from './asset/opencode-monitor.js';
import { parseBridgePayload } from './payload.js';

const { createBridge, toWireEvent, trimValue, MAX_QUEUE, MAX_BATCH, REREAD_INTERVAL_MS } = OpencodeMonitorBridge.internals;

interface Sent {
  url: string;
  authorization: string | undefined;
  body: Record<string, unknown> & { events: Array<{ type: string; properties: Record<string, unknown> }> };
}

/** A bridge with a hand-cranked clock: `fire()` runs due timers; `reply` decides each POST's fate. */
function harness(opts: { file?: string | (() => string); reply?: (call: Sent) => FetchLikeResponse | Error } = {}) {
  let clock = 1_000;
  let nextId = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const sent: Sent[] = [];
  let reads = 0;
  const file = opts.file ?? JSON.stringify({ port: 4000, token: 'tok-1' });
  const deps: BridgeDeps = {
    env: { OPENCODE_MONITOR_BRIDGE: '/state/bridge.json' },
    pid: 77,
    directory: '/proj',
    now: () => clock,
    setTimer: (fn, ms) => {
      const id = ++nextId;
      timers.set(id, { at: clock + ms, fn });
      return id;
    },
    clearTimer: (id) => timers.delete(id as number),
    readText: async (p) => {
      reads++;
      if (p !== '/state/bridge.json') throw new Error(`unexpected path ${p}`);
      return typeof file === 'function' ? file() : file;
    },
    fetch: async (url, init) => {
      const call: Sent = { url, authorization: init.headers.authorization, body: JSON.parse(init.body) as Sent['body'] };
      sent.push(call);
      const outcome = opts.reply ? opts.reply(call) : { status: 204, ok: true };
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
  };
  const bridge = createBridge(deps);
  /** Advances the clock by `ms`, runs every timer due by then, and lets the sends settle. */
  const advance = async (ms: number): Promise<void> => {
    clock += ms;
    for (const [id, t] of [...timers]) {
      if (t.at > clock) continue;
      timers.delete(id);
      t.fn();
    }
    // A fired timer starts its send synchronously; every batch of it runs inside that one send.
    await bridge.whenIdle();
  };
  return { bridge, sent, advance, timers, reads: () => reads };
}

const busy = { type: 'session.status', properties: { sessionID: 'ses_1', status: { type: 'busy' } } };
const toolPart = (status: string, extra: Record<string, unknown> = {}) => ({
  type: 'message.part.updated',
  properties: {
    sessionID: 'ses_1',
    time: 5,
    part: { id: 'prt_1', sessionID: 'ses_1', messageID: 'msg_1', type: 'tool', callID: 'call_1', tool: 'bash', state: { status, input: { command: 'ls -la' }, time: { start: 10 }, ...extra } },
  },
});

describe('event filtering and trimming', () => {
  it('forwards the monitored types in the /event shape and skips the rest', () => {
    expect(toWireEvent({ id: 'evt_1', ...busy })).toEqual(busy);
    for (const skipped of [
      { type: 'message.part.delta', properties: { delta: 'x' } },
      { type: 'lsp.updated', properties: {} },
      { type: 'message.part.updated', properties: { part: { type: 'text', text: 'hello' } } },
      { properties: {} },
      'session.idle',
      null,
    ]) {
      expect(toWireEvent(skipped)).toBeUndefined();
    }
  });

  it('keeps a tool part’s command and status but trims its output and drops its bulky metadata', () => {
    const wire = toWireEvent(toolPart('completed', { output: 'y'.repeat(50_000), metadata: { output: 'z'.repeat(50_000) }, title: 'ls' }));
    const part = wire?.properties.part as { tool: string; callID: string; state: Record<string, unknown> };
    expect(part.tool).toBe('bash');
    expect(part.callID).toBe('call_1');
    expect(part.state).toMatchObject({ status: 'completed', input: { command: 'ls -la' }, title: 'ls', time: { start: 10 } });
    expect((part.state.output as string).length).toBeLessThan(1100);
    expect(part.state.metadata).toBeUndefined();
    expect(JSON.stringify(wire).length).toBeLessThan(2000);
  });

  it('keeps a message’s identity, agent and model but not its diffs', () => {
    const wire = toWireEvent({
      type: 'message.updated',
      properties: { sessionID: 'ses_1', info: { id: 'msg_1', sessionID: 'ses_1', role: 'user', agent: 'build', model: { providerID: 'p', modelID: 'm' }, summary: { diffs: [{ before: 'a'.repeat(1e5) }] } } },
    });
    expect(wire?.properties.info).toEqual({ id: 'msg_1', sessionID: 'ses_1', role: 'user', agent: 'build', model: { providerID: 'p', modelID: 'm' } });
  });

  it('keeps a session’s fields but not the file contents of its summary diffs', () => {
    const info = { id: 'ses_1', title: 'T', directory: '/proj', summary: { additions: 3, deletions: 1, files: 2, diffs: [{ file: 'a', before: 'x'.repeat(1e5) }] } };
    const wire = toWireEvent({ type: 'session.updated', properties: { sessionID: 'ses_1', info } });
    expect(wire?.properties).toEqual({ sessionID: 'ses_1', info: { id: 'ses_1', title: 'T', directory: '/proj', summary: { additions: 3, deletions: 1, files: 2 } } });
  });

  it('caps strings, lists and depth of any payload', () => {
    const deep: Record<string, unknown> = {};
    let cursor = deep;
    for (let i = 0; i < 20; i++) cursor = cursor.next = {};
    const trimmed = trimValue({ s: 'a'.repeat(10_000), list: Array.from({ length: 500 }, (_, i) => i), deep, fn: () => 1 }) as Record<string, unknown>;
    expect((trimmed.s as string).startsWith('a'.repeat(2000) + '…[+8000 chars]')).toBe(true);
    expect(trimmed.list).toHaveLength(100);
    expect(JSON.stringify(trimmed.deep)).not.toContain('{}');
    expect('fn' in trimmed).toBe(false);
  });
});

describe('sending', () => {
  it('batches events on a short timer and posts them with the bearer token, in a body the engine accepts', async () => {
    const h = harness();
    h.bridge.push(busy);
    h.bridge.push(toolPart('running'));
    h.bridge.push({ type: 'message.part.delta', properties: {} });
    expect(h.sent).toHaveLength(0);
    await h.advance(OpencodeMonitorBridge.internals.FLUSH_DELAY_MS);
    expect(h.sent).toHaveLength(1);
    const [call] = h.sent;
    expect(call?.url).toBe('http://127.0.0.1:4000/bridge/events');
    expect(call?.authorization).toBe('Bearer tok-1');
    const parsed = parseBridgePayload(call?.body);
    expect(parsed.ok && parsed.value).toMatchObject({ pid: 77, directory: '/proj', droppedByPlugin: 0 });
    expect(parsed.ok && parsed.value.events.map((e) => e.type)).toEqual(['session.status', 'message.part.updated']);
    expect(h.bridge.stats).toMatchObject({ sent: 2, filtered: 1, dropped: 0 });
  });

  it('coalesces back-to-back updates of one running tool part, but keeps every status change', async () => {
    const h = harness();
    h.bridge.push(toolPart('pending'));
    for (let i = 0; i < 50; i++) h.bridge.push(toolPart('running', { metadata: { output: `line ${i}` } }));
    h.bridge.push(toolPart('completed', { output: 'done' }));
    await h.advance(50);
    const statuses = h.sent.flatMap((c) => c.body.events.map((e) => (e.properties.part as { state: { status: string } }).state.status));
    expect(statuses).toEqual(['pending', 'running', 'completed']);
    expect(h.bridge.stats.coalesced).toBe(49);
  });

  it('splits a burst into bounded batches', async () => {
    const h = harness();
    for (let i = 0; i < MAX_BATCH * 2 + 5; i++) h.bridge.push(busy);
    await h.advance(100);
    expect(h.sent.map((c) => c.body.events.length)).toEqual([MAX_BATCH, MAX_BATCH, 5]);
  });

  it('keeps only the newest events while the engine is away, and reports the drops once it is back', async () => {
    let up = false;
    const h = harness({ reply: () => (up ? { status: 204, ok: true } : new Error('connect ECONNREFUSED')) });
    for (let i = 0; i < MAX_QUEUE + 30; i++) h.bridge.push({ type: 'session.status', properties: { sessionID: `ses_${i}`, status: { type: 'busy' } } });
    await h.advance(100);
    expect(h.bridge.pending()).toBe(MAX_QUEUE);
    expect(h.bridge.stats.dropped).toBe(30);
    up = true;
    await h.advance(REREAD_INTERVAL_MS);
    expect(h.bridge.pending()).toBe(0);
    const delivered = h.sent.slice(1).flatMap((c) => c.body.events.map((e) => e.properties.sessionID));
    expect(delivered[0]).toBe('ses_30');
    expect(delivered.at(-1)).toBe(`ses_${MAX_QUEUE + 29}`);
    expect(h.sent[1]?.body.dropped).toBe(30);
    expect(h.sent.at(-1)?.body.dropped).toBe(0);
  });

  it('re-reads the bridge file after a 401, at most every few seconds, and switches to the new token', async () => {
    let file = JSON.stringify({ port: 4000, token: 'stale' });
    const h = harness({ file: () => file, reply: (c) => (c.authorization === 'Bearer fresh' ? { status: 204, ok: true } : { status: 401, ok: false }) });
    h.bridge.push(busy);
    await h.advance(50);
    expect(h.bridge.stats.unauthorized).toBe(1);
    expect(h.reads()).toBe(1);
    // The engine restarted with a new token, but the plugin waits out the re-read interval.
    file = JSON.stringify({ port: 4001, token: 'fresh' });
    h.bridge.push(busy);
    await h.advance(50);
    expect(h.sent).toHaveLength(1);
    await h.advance(REREAD_INTERVAL_MS);
    expect(h.reads()).toBe(2);
    expect(h.sent.at(-1)).toMatchObject({ url: 'http://127.0.0.1:4001/bridge/events', authorization: 'Bearer fresh' });
    expect(h.sent.at(-1)?.body.events).toHaveLength(2);
    expect(h.bridge.pending()).toBe(0);
  });

  it('never posts anywhere when the bridge file names a non-loopback host, or is missing', async () => {
    for (const file of [JSON.stringify({ host: '10.0.0.8', port: 4000, token: 't' }), 'not json']) {
      const h = harness({ file });
      h.bridge.push(busy);
      await h.advance(50);
      await h.advance(REREAD_INTERVAL_MS);
      expect(h.sent).toHaveLength(0);
      expect(h.bridge.pending()).toBe(1);
    }
  });

  it('drops a batch the engine rejects instead of resending it forever', async () => {
    const h = harness({ reply: () => ({ status: 400, ok: false }) });
    h.bridge.push(busy);
    await h.advance(50);
    await h.advance(REREAD_INTERVAL_MS);
    expect(h.sent).toHaveLength(1);
    expect(h.bridge.stats).toMatchObject({ dropped: 1, errors: 1 });
  });

  it('flushes what is left on dispose without waiting for the batch timer', async () => {
    const h = harness();
    h.bridge.push({ type: 'session.idle', properties: { sessionID: 'ses_1' } });
    await h.bridge.dispose();
    expect(h.sent.map((c) => c.body.events[0]?.type)).toEqual(['session.idle']);
    h.bridge.push(busy);
    expect(h.bridge.pending()).toBe(0);
  });
});

describe('the plugin entry', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('returns hooks whose event handler never throws or rejects, whatever OpenCode passes', async () => {
    // Point it at nothing, so a monitor running on this machine never receives test events.
    vi.stubEnv('OPENCODE_MONITOR_BRIDGE', '/nonexistent/opencode-monitor-test/bridge.json');
    const hooks = await OpencodeMonitorBridge({ directory: '/proj' });
    const event = hooks.event;
    expect(event).toBeTypeOf('function');
    if (!event) return;
    for (const input of [undefined, null, {}, { event: null }, { event: { type: 'session.status' } }, { event: { type: 7 } }]) {
      await expect(event(input as { event: unknown })).resolves.toBeUndefined();
    }
    // With no bridge file reachable this just gives up quickly and quietly.
    await expect(hooks.dispose?.()).resolves.toBeUndefined();
  });

  it('is the module’s only export, because OpenCode calls every export as a plugin', async () => {
    const mod = (await import('./asset/opencode-monitor.js')) as Record<string, unknown>;
    expect(Object.keys(mod)).toEqual(['OpencodeMonitorBridge']);
  });
});
