/**
 * The follower's edges against a scripted OpenCode stand-in on loopback: auth headers, a server without the
 * permission API, a stream that falls silent (dead → disconnected → reconnect → re-seed), the legacy permission
 * reply route, and the audit log. The real binary is exercised in tests/integration/liveFollow.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveInstance } from '../../../../shared/src/index.js';
import { createJsonlActionLog } from './actionLog.js';
import { rejectQuestion, replyPermission } from './actions.js';
import { followInstance } from './follower.js';
import type { InstanceFollower } from './follower.js';

const AUTH = `Basic ${Buffer.from('opencode:pw').toString('base64')}`;

interface Stub {
  url: string;
  seeds: number;
  streams: Set<ServerResponse>;
  posts: Array<{ path: string; body: unknown }>;
  push(event: unknown): void;
  close(): Promise<void>;
}

/** An OpenCode-like server from before the permission API (404 on /permission and /permission/:id/reply). */
async function startStub(): Promise<Stub> {
  const streams = new Set<ServerResponse>();
  const stub: Stub = {
    url: '',
    seeds: 0,
    streams,
    posts: [],
    push: (event) => streams.forEach((r) => r.write(`data: ${JSON.stringify({ directory: '/p', payload: event })}\n\n`)),
    close: () => new Promise((resolve) => (streams.forEach((r) => r.destroy()), server.close(() => resolve()))),
  };
  const send = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.authorization !== AUTH) return send(res, 401, 'unauthorized');
    const path = (req.url ?? '').split('?')[0] ?? '';
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.method === 'POST') stub.posts.push({ path, body: body ? JSON.parse(body) : undefined });
      if (path === '/global/event') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`data: ${JSON.stringify({ payload: { type: 'server.connected', properties: {} } })}\n\n`);
        streams.add(res);
        res.on('close', () => streams.delete(res));
        return;
      }
      if (path === '/session/status') {
        stub.seeds += 1;
        return send(res, 200, {});
      }
      if (path === '/global/health') return send(res, 200, { healthy: true, version: '0.9.0' });
      if (path === '/session') return send(res, 200, [{ id: 's1', title: 'Old server session', directory: '/p', time: { updated: Date.now() } }]);
      if (path === '/question') return send(res, 200, []);
      if (path.startsWith('/session/s1/permissions/')) return send(res, 200, true);
      if (path.startsWith('/question/') && path.endsWith('/reject')) return send(res, 500, { error: 'boom' });
      return send(res, 404, 'not found');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return stub;
}

async function until<T>(probe: () => T | undefined | false, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let stub: Stub | undefined;
let follower: InstanceFollower | undefined;
let dir: string | undefined;
afterEach(async () => {
  await follower?.stop();
  await stub?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  follower = stub = dir = undefined;
});

const inst = (): LiveInstance | undefined => follower?.instance();

describe('followInstance (loopback stand-in)', () => {
  it('seeds with auth, follows events, and falls back to heuristics without a permission API', async () => {
    stub = await startStub();
    follower = followInstance({ id: 'old', url: stub.url, headers: { authorization: AUTH } }, { onUpdate: () => undefined, tickMs: 20 });
    await until(() => inst()?.connection === 'connected', 'connected');
    expect(inst()).toMatchObject({ version: '0.9.0', permissionApi: false, sessions: { s1: { title: 'Old server session', status: { type: 'idle' } } } });
    stub.push({ type: 'session.status', properties: { sessionID: 's1', status: { type: 'busy' } } });
    stub.push({ type: 'message.part.updated', properties: { part: { type: 'tool', tool: 'bash', callID: 'c1', sessionID: 's1', messageID: 'm1', state: { status: 'running', input: { command: 'rm -rf x' }, time: { start: Date.now() - 6_000 } } } } });
    const tool = await until(() => inst()?.sessions.s1?.tools.c1?.mayNeedPermission && inst()?.sessions.s1?.tools.c1, 'may need permission');
    expect(tool).toMatchObject({ argument: 'rm -rf x', status: 'running' });
  });

  it('treats a silent stream as dead, reports it disconnected, then reconnects and re-seeds', async () => {
    stub = await startStub();
    const connections: string[] = [];
    follower = followInstance(
      { id: 'quiet', url: stub.url, headers: { authorization: AUTH } },
      { onUpdate: (u) => connections.push(u.state.instances.quiet?.connection ?? 'gone'), heartbeatTimeoutMs: 300, backoff: { initialMs: 50, maxMs: 200 } },
    );
    await until(() => inst()?.connection === 'connected', 'connected');
    await until(() => inst()?.connection === 'disconnected', 'disconnected after silence');
    expect(inst()?.lastError).toMatch(/no heartbeat/);
    await until(() => (stub?.seeds ?? 0) >= 2 && inst()?.connection === 'connected', 're-seeded');
    expect(connections.filter((c, i) => c !== connections[i - 1])).toEqual(expect.arrayContaining(['connected', 'disconnected', 'connected']));
  });

  it('stays disconnected with the reason when credentials are refused', async () => {
    stub = await startStub();
    follower = followInstance({ id: 'locked', url: stub.url }, { onUpdate: () => undefined, backoff: { initialMs: 50, maxMs: 100 } });
    await until(() => inst()?.connection === 'disconnected', 'disconnected');
    expect(inst()?.lastError).toMatch(/401/);
  });

  it('answers through the legacy permission route and logs every attempt, failed ones too', async () => {
    stub = await startStub();
    dir = mkdtempSync(join(tmpdir(), 'ocm-actions-'));
    const logPath = join(dir, 'nested', 'actions.jsonl');
    const log = createJsonlActionLog(logPath);
    const target = { id: 'old', url: stub.url, headers: { authorization: AUTH } };
    const now = () => 1234;
    const ok = await replyPermission(target, { requestId: 'per_1', sessionId: 's1', reply: 'always', message: 'fine' }, { log, now });
    expect(ok).toEqual({ ok: true, value: true });
    expect(stub.posts).toEqual([
      { path: '/permission/per_1/reply', body: { reply: 'always', message: 'fine' } },
      { path: '/session/s1/permissions/per_1', body: { response: 'always' } },
    ]);
    const failed = await rejectQuestion(target, { requestId: 'que_1', sessionId: 's1' }, { log, now });
    expect(failed.ok).toBe(false);
    const lines = readFileSync(logPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(lines).toEqual([
      { timeMs: 1234, instanceId: 'old', sessionId: 's1', action: 'permission.reply', requestId: 'per_1', reply: 'always', message: 'fine', ok: true },
      { timeMs: 1234, instanceId: 'old', sessionId: 's1', action: 'question.reject', requestId: 'que_1', reply: 'reject', ok: false, problem: 'live.http-status' },
    ]);
  });
});
