import { describe, expect, it } from 'vitest';
import { createLiveActions, readEnvelope, type FetchLike } from './liveActions.js';

/** Records each call and answers with the given status and body text. */
function fakeFetch(status: number, text: string) {
  const calls: { url: string; method: string; body: unknown; contentType: string | undefined }[] = [];
  const fetchLike: FetchLike = async (url, init) => {
    calls.push({ url, method: init.method, body: JSON.parse(init.body), contentType: init.headers['content-type'] });
    return { status, text: async () => text };
  };
  return { calls, fetchLike };
}

describe('live actions', () => {
  it('posts each reply to its documented route with a JSON body, escaping the id', async () => {
    const { calls, fetchLike } = fakeFetch(200, '{"success":true,"data":{"accepted":true}}');
    const actions = createLiveActions(fetchLike);
    expect(await actions.replyPermission('per_1', 'once')).toEqual({ ok: true, value: true });
    await actions.replyPermission('per/2', 'reject', 'use git clean instead');
    await actions.replyQuestion('que_1', [['Blue'], ['Tests', 'Docs']]);
    await actions.rejectQuestion('que_1');
    expect(calls).toEqual([
      { url: '/api/permissions/per_1/reply', method: 'POST', body: { reply: 'once' }, contentType: 'application/json' },
      { url: '/api/permissions/per%2F2/reply', method: 'POST', body: { reply: 'reject', message: 'use git clean instead' }, contentType: 'application/json' },
      { url: '/api/questions/que_1/reply', method: 'POST', body: { answers: [['Blue'], ['Tests', 'Docs']] }, contentType: 'application/json' },
      { url: '/api/questions/que_1/reject', method: 'POST', body: {}, contentType: 'application/json' },
    ]);
  });

  it('returns the engine’s error as a problem with its code', async () => {
    const { fetchLike } = fakeFetch(404, '{"success":false,"error":{"code":"serve.not-found","message":"no pending permission \\"per_1\\""}}');
    const result = await createLiveActions(fetchLike).replyPermission('per_1', 'always');
    expect(result).toMatchObject({ ok: false, problem: { code: 'serve.not-found', message: 'no pending permission "per_1"', detail: { status: 404 } } });
  });

  it('turns a network failure into protocol.disconnected instead of throwing', async () => {
    const result = await createLiveActions(async () => Promise.reject(new TypeError('Failed to fetch'))).rejectQuestion('q');
    expect(result).toMatchObject({ ok: false, problem: { code: 'protocol.disconnected', source: '/api/questions/q/reject' } });
    expect(!result.ok && result.problem.message).toContain('Failed to fetch');
  });
});

describe('readEnvelope', () => {
  it('accepts only a 2xx success envelope and names everything else', () => {
    expect(readEnvelope(502, '{"success":false,"error":{"code":"live.unreachable","message":"refused"}}', 'x')).toMatchObject({ ok: false, problem: { code: 'live.unreachable' } });
    expect(readEnvelope(500, '{"success":false,"error":{"code":"no.such-code","message":"boom"}}', 'x')).toMatchObject({ ok: false, problem: { code: 'internal.bug', message: 'boom' } });
    expect(readEnvelope(502, '<html>Bad gateway</html>', 'x')).toMatchObject({ ok: false, problem: { code: 'protocol.bad-message' } });
    expect(readEnvelope(200, '{"data":1}', 'x')).toMatchObject({ ok: false, problem: { code: 'protocol.bad-message' } });
    expect(readEnvelope(500, '{"success":true}', 'x').ok).toBe(false);
  });
});
