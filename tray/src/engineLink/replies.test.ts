import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyPermission } from './replies.js';

const seen: { url: string; auth: string; body: string }[] = [];
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    seen.push({ url: req.url ?? '', auth: req.headers.authorization ?? '', body });
    const known = req.url === '/api/permissions/per_1/reply';
    res.writeHead(known ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(known ? { success: true, data: { replied: true } } : { success: false, error: { code: 'serve.not-found', message: 'no pending permission per_2' } }));
  });
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('tray permission replies', () => {
  it('posts the reply with the token to the engine', async () => {
    expect(await replyPermission(base, 'tok', 'per_1', 'once')).toEqual({ ok: true, value: true });
    expect(seen.at(-1)).toEqual({ url: '/api/permissions/per_1/reply', auth: 'Bearer tok', body: '{"reply":"once"}' });
  });

  it('returns the engine’s error as data, and an unreachable engine too', async () => {
    const missing = await replyPermission(base, 'tok', 'per_2', 'reject');
    expect(missing).toEqual({ ok: false, problem: { code: 'live.http-status', message: 'no pending permission per_2', detail: { status: 404 } } });
    const down = await replyPermission('http://127.0.0.1:9', 'tok', 'per_1', 'once');
    expect(!down.ok && down.problem.code).toBe('live.unreachable');
  });
});
