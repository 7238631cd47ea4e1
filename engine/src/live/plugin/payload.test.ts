import { describe, expect, it } from 'vitest';
import { OpencodeMonitorBridge } from './asset/opencode-monitor.js';
import { BRIDGE_EVENT_TYPES, MAX_BRIDGE_EVENTS, isBridgeAuthorized, parseBridgePayload } from './payload.js';

const status = { type: 'session.status', properties: { sessionID: 'ses_1', status: { type: 'busy' } } };
const body = (over: Record<string, unknown> = {}): Record<string, unknown> => ({ v: 1, pid: 4242, directory: '/home/dev/p', events: [status], ...over });

describe('parseBridgePayload', () => {
  it('accepts a well-formed batch and attaches the directory to each event, as /global/event does', () => {
    const result = parseBridgePayload(body({ dropped: 3 }));
    expect(result).toEqual({
      ok: true,
      value: {
        v: 1,
        pid: 4242,
        directory: '/home/dev/p',
        events: [{ ...status, directory: '/home/dev/p' }],
        droppedByPlugin: 3,
        rejected: { unknownType: 0, malformed: 0, overCap: 0 },
      },
    });
  });

  it('parses raw JSON text, and rejects text that is not JSON', () => {
    const fromText = parseBridgePayload(JSON.stringify(body()));
    expect(fromText.ok && fromText.value.events).toHaveLength(1);
    const broken = parseBridgePayload('{"v":1,');
    expect(broken.ok ? undefined : broken.problem.code).toBe('protocol.bad-message');
  });

  it.each([
    ['null', null],
    ['an array', [status]],
    ['a number', 7],
    ['no version', { pid: 1, directory: '/p', events: [] }],
    ['a string version', body({ v: '1' })],
    ['a missing pid', body({ pid: undefined })],
    ['a negative pid', body({ pid: -5 })],
    ['a fractional pid', body({ pid: 1.5 })],
    ['a string pid', body({ pid: '42' })],
    ['an empty directory', body({ directory: '' })],
    ['a huge directory', body({ directory: '/'.repeat(5000) })],
    ['a non-string directory', body({ directory: ['/p'] })],
    ['events that are not a list', body({ events: { 0: status } })],
    ['missing events', body({ events: undefined })],
  ])('rejects %s as protocol.bad-message', (_what, input) => {
    const result = parseBridgePayload(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.code).toBe('protocol.bad-message');
  });

  it('answers another wire version with protocol.version-mismatch', () => {
    const result = parseBridgePayload(body({ v: 2 }));
    expect(result.ok ? undefined : result.problem.code).toBe('protocol.version-mismatch');
  });

  it('drops and counts unknown and malformed events but keeps the good ones', () => {
    const result = parseBridgePayload(
      body({
        events: [
          status,
          { type: 'message.part.delta', properties: {} },
          { type: 'tui.toast.show', properties: {} },
          { type: 'session.idle' },
          { type: 42, properties: {} },
          { type: 'session.idle', properties: [] },
          'session.idle',
          null,
          { type: 'x'.repeat(500), properties: {} },
          { type: 'session.idle', properties: { sessionID: 'ses_1' } },
        ],
      }),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.events.map((e) => e.type)).toEqual(['session.status', 'session.idle']);
    expect(result.value.rejected).toEqual({ unknownType: 2, malformed: 6, overCap: 0 });
  });

  it('caps a huge event list and counts what it cut', () => {
    const events = Array.from({ length: MAX_BRIDGE_EVENTS + 250 }, () => status);
    const result = parseBridgePayload(body({ events }));
    expect(result.ok && result.value.events.length).toBe(MAX_BRIDGE_EVENTS);
    expect(result.ok && result.value.rejected.overCap).toBe(250);
  });

  it('ignores a nonsensical dropped counter instead of trusting it', () => {
    for (const dropped of [-1, 'many', 1e300, Number.NaN]) {
      const result = parseBridgePayload(body({ dropped }));
      expect(result.ok && result.value.droppedByPlugin).toBe(0);
    }
  });

  it('accepts exactly the event types the plugin forwards', () => {
    expect([...OpencodeMonitorBridge.internals.FORWARDED].sort()).toEqual([...BRIDGE_EVENT_TYPES].sort());
  });
});

describe('isBridgeAuthorized', () => {
  const token = 'tok_abcdefghijklmnopqrstuvwxyz012345';
  it('accepts the exact bearer token, case-insensitive scheme', () => {
    expect(isBridgeAuthorized(`Bearer ${token}`, token)).toBe(true);
    expect(isBridgeAuthorized(`bearer ${token}`, token)).toBe(true);
  });
  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['a wrong token', 'Bearer tok_wrong'],
    ['a token prefix', `Bearer ${token.slice(0, -1)}`],
    ['a longer token', `Bearer ${token}x`],
    ['basic auth', `Basic ${token}`],
    ['the bare token', token],
  ])('refuses %s', (_what, header) => {
    expect(isBridgeAuthorized(header, token)).toBe(false);
  });
  it('refuses everything when the engine has no token', () => {
    expect(isBridgeAuthorized('Bearer ', '')).toBe(false);
    expect(isBridgeAuthorized('Bearer x', '')).toBe(false);
  });
});
