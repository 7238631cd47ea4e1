/**
 * The REST handler behind the same access checks as the server (checkAccess), on a real loopback socket with a
 * small hand-made table set: access control, envelope, pagination, validation, the reply routes and rate limits.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { emptyLiveState, ok, tableSpec, TABLES, type LiveState, type TableName, type TableSpec } from '../../../../shared/src/index.js';
import { buildIpc } from '../../arrow/index.js';
import { createMemoryLogger } from '../../log.js';
import { allowedHosts, checkAccess } from '../access.js';
import type { RestActions, RestContext } from './context.js';
import { closeRestContext, handleApiRequest } from './handler.js';

const TOKEN = 'rest-test-token-0123456789abcdefghijklmnop';
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 1);

/** A row with every column of `spec` filled with a neutral value, overridden by `values`. */
function row(spec: TableSpec, values: Record<string, unknown>): Record<string, unknown> {
  const defaults = Object.fromEntries(spec.columns.map((c) => [c.name, c.nullable ? null : c.type === 'utf8' ? '' : c.type === 'bool' ? false : 0]));
  return { ...defaults, ...values };
}

const sessions = Array.from({ length: 7 }, (_, i) =>
  row(tableSpec('sessions'), { id: `ses_${i}`, project_id: 'p1', title: i === 3 ? "it's 100% done" : `Session ${i}`, root_id: `ses_${i}`, created_at: NOW - i * DAY, updated_at: NOW - i * DAY + 60_000, tokens_total: 100 * i, cost: i / 10 }),
);
const toolCalls = [
  row(tableSpec('tool_calls'), { id: 'prt_1', session_id: 'ses_1', root_session_id: 'ses_1', message_id: 'msg_1', tool: 'bash', status: 'completed', created_at: NOW - DAY, duration_ms: 100 }),
  row(tableSpec('tool_calls'), { id: 'prt_2', session_id: 'ses_1', root_session_id: 'ses_1', message_id: 'msg_1', tool: 'bash', status: 'error', created_at: NOW - DAY, duration_ms: 300 }),
  row(tableSpec('tool_calls'), { id: 'prt_3', session_id: 'ses_1', root_session_id: 'ses_1', message_id: 'msg_1', tool: 'read', status: 'completed', created_at: NOW - DAY, duration_ms: 50 }),
];

const tables = new Map<TableName, Uint8Array[]>(TABLES.map((t) => [t.name, [buildIpc(t, [])]]));
tables.set('sessions', [buildIpc(tableSpec('sessions'), sessions as never)]);
tables.set('tool_calls', [buildIpc(tableSpec('tool_calls'), toolCalls as never)]);

let live: LiveState = emptyLiveState();
const calls: unknown[] = [];
const actions: RestActions = {
  async replyPermission(r) {
    calls.push({ kind: 'permission', instanceId: r.instanceId, id: r.permission.id, reply: r.reply, message: r.message });
    return ok(true);
  },
  async replyQuestion(r) {
    calls.push({ kind: 'question', id: r.question.id, answers: r.answers });
    return ok(true);
  },
  async rejectQuestion(r) {
    calls.push({ kind: 'reject', id: r.question.id });
    return { ok: false, problem: { code: 'live.unreachable', message: 'instance gone' } };
  },
};
const logger = createMemoryLogger();
let clock = NOW;
const ctx: RestContext = {
  tableChunks: (name) => tables.get(name) ?? [],
  rowCount: (name) => (name === 'sessions' ? sessions.length : 0),
  live: () => live,
  info: () => ({ engineVersion: 'test', demo: false, dataDir: '/data' }),
  actions,
  logger,
  now: () => clock,
  rateLimit: { perSecond: 1, burst: 3 },
};

let server: http.Server;
let port: number;

beforeAll(async () => {
  let hosts = new Set<string>();
  const wss = new WebSocketServer({ noServer: true });
  // Mirrors server.ts: access checks first, then the REST handler.
  server = http.createServer((req, res) => {
    const access = checkAccess(req, hosts, TOKEN);
    if (!access.ok) {
      res.writeHead(access.status, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ success: false, error: { code: 'serve.forbidden', message: access.message } }));
    }
    void handleApiRequest(req, res, access.url, ctx).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  server.on('upgrade', (req, socket, head) => {
    const access = checkAccess(req, hosts, TOKEN);
    if (!access.ok) return void socket.end(`HTTP/1.1 ${access.status} ${http.STATUS_CODES[access.status]}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    wss.handleUpgrade(req, socket, head, (ws) => ws.close());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(port, '127.0.0.1');
}, 60_000);

afterAll(async () => {
  await closeRestContext(ctx);
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  json: { success: boolean; data?: unknown; meta?: Record<string, number | boolean>; error?: { code: string; message: string } };
}

function call(method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, authorization: `Bearer ${TOKEN}`, ...headers } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text ? JSON.parse(text) : {} }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const post = (path: string, body: unknown, headers: Record<string, string> = {}) => call('POST', path, { 'content-type': 'application/json', ...headers }, JSON.stringify(body));

describe('access control on the REST routes', () => {
  it('refuses no token, a wrong token, a foreign Origin and a forged Host, even on the mutating routes', async () => {
    expect((await call('GET', '/api/health', { authorization: '' })).status).toBe(401);
    expect((await call('GET', '/api/health', { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await call('GET', '/api/health', { origin: 'http://evil.example' })).status).toBe(403);
    expect((await call('GET', '/api/health', { host: `evil.example:${port}` })).status).toBe(421);
    expect((await post('/api/permissions/per_1/reply', { reply: 'once' }, { authorization: '' })).status).toBe(401);
    expect((await post('/api/permissions/per_1/reply', { reply: 'once' }, { origin: `http://localhost.evil.example:${port}` })).status).toBe(403);
    expect(calls).toEqual([]);
  });

  it('refuses a WebSocket upgrade from a foreign Origin, and accepts the same one from its own', async () => {
    const upgrade = (origin: string) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { authorization: `Bearer ${TOKEN}`, origin } });
        ws.on('unexpected-response', (_req, res) => resolve(`HTTP ${res.statusCode}`));
        ws.on('open', () => resolve('open'));
        ws.on('error', (e) => resolve(e.message));
      });
    expect(await upgrade('http://evil.example')).toBe('HTTP 403');
    expect(await upgrade(`http://127.0.0.1:${port}`)).toBe('open');
  });
});

describe('read routes', () => {
  it('answers health in the envelope', async () => {
    const r = await call('GET', '/api/health');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ success: true, data: { status: 'ok', engineVersion: 'test', demo: false } });
  });

  it('pages the session list with a total, newest first, filtered by ?days=', async () => {
    const r = await call('GET', '/api/sessions?days=30&limit=3&offset=2');
    expect(r.json.meta).toEqual({ limit: 3, offset: 2, count: 3, total: 7, has_more: true });
    expect(r.headers['x-total-count']).toBe('7');
    expect((r.json.data as { id: string }[]).map((s) => s.id)).toEqual(['ses_2', 'ses_3', 'ses_4']);
    const recent = await call('GET', '/api/sessions?days=2'); // the cutoff is inclusive: ses_2 is exactly 2 days old
    expect((recent.json.data as { id: string }[]).map((s) => s.id)).toEqual(['ses_0', 'ses_1', 'ses_2']);
  });

  it('searches with quotes and LIKE wildcards taken literally', async () => {
    const r = await call('GET', `/api/sessions/search?q=${encodeURIComponent("it's 100%")}`);
    expect((r.json.data as { id: string }[]).map((s) => s.id)).toEqual(['ses_3']);
    const none = await call('GET', `/api/sessions/search?q=${encodeURIComponent("x' OR '1'='1")}`);
    expect(none.json.data).toEqual([]);
  });

  it('computes per-session tool stats from the table', async () => {
    const r = await call('GET', '/api/session/ses_1/tools');
    expect(r.json.data).toMatchObject({ summary: { total_calls: 3, unique_tools: 2, success_rate: '66.7%', avg_duration_ms: 150 } });
    expect((r.json.data as { details: { top_tools: unknown[] } }).details.top_tools[0]).toEqual({ name: 'bash', count: 2, avg_duration_ms: 200, error_count: 1 });
  });

  it('answers 404 for an unknown session, 400 for a malformed id or parameter, 405 for a wrong method', async () => {
    expect((await call('GET', '/api/session/ses_404/tools')).json.error?.code).toBe('serve.not-found');
    const bad = await call('GET', `/api/session/${encodeURIComponent("ses' OR 1=1")}/tools`);
    expect([bad.status, bad.json.error?.code]).toEqual([400, 'serve.bad-request']);
    expect((await call('GET', '/api/sessions?limit=100000')).status).toBe(400);
    const wrong = await call('DELETE', '/api/sessions');
    expect([wrong.status, wrong.json.error?.code, wrong.headers.allow]).toEqual([405, 'serve.method-not-allowed', 'GET']);
  });

  it('reloads a table into DuckDB only when its chunks change, appending new chunks', async () => {
    const before = (await call('GET', '/api/stats/tools?days=30')).json.data as { tool: string; invocations: number }[];
    expect(before.find((t) => t.tool === 'bash')?.invocations).toBe(2);
    const extra = buildIpc(tableSpec('tool_calls'), [row(tableSpec('tool_calls'), { id: 'prt_9', session_id: 'ses_2', root_session_id: 'ses_2', message_id: 'msg_9', tool: 'bash', status: 'completed', created_at: NOW })] as never);
    tables.set('tool_calls', [...tables.get('tool_calls')!, extra]);
    const after = (await call('GET', '/api/stats/tools?days=30')).json.data as { tool: string; invocations: number; failure_rate: string }[];
    expect(after.find((t) => t.tool === 'bash')).toMatchObject({ invocations: 3, failure_rate: '33.3%' });
  });
});

describe('mutating routes', () => {
  const permission = { id: 'per_1', sessionId: 'ses_1', permission: 'bash', patterns: ['rm *'], always: [], summary: 'rm -rf build', askedMs: NOW };
  const question = { id: 'que_1', sessionId: 'ses_1', questions: [{ question: 'Which?', options: [{ label: 'A' }, { label: 'B' }] }], askedMs: NOW };

  beforeAll(() => {
    live = {
      ...emptyLiveState(),
      instances: {
        i1: { id: 'i1', url: 'http://127.0.0.1:4096', connection: 'connected', permissionApi: true, sessions: {}, permissions: { per_1: permission }, questions: { que_1: question }, ignoredEvents: 0 },
      },
    };
  });

  it('calls the injected action for a pending permission and logs the call', async () => {
    clock += 10_000;
    const r = await post('/api/permissions/per_1/reply', { reply: 'reject', message: 'not now' });
    expect([r.status, r.json]).toEqual([200, { success: true, data: { accepted: true } }]);
    expect(calls.at(-1)).toEqual({ kind: 'permission', instanceId: 'i1', id: 'per_1', reply: 'reject', message: 'not now' });
    expect(logger.lines.some((l) => l.includes('permission.reply per_1 reject') && l.includes('→ ok'))).toBe(true);
  });

  it('validates bodies: JSON only, within the size cap, well-typed', async () => {
    clock += 10_000;
    const cases: [Promise<Reply>, number, string][] = [
      [call('POST', '/api/permissions/per_1/reply', { 'content-type': 'text/plain' }, '{"reply":"once"}'), 415, 'serve.unsupported-media-type'],
      [call('POST', '/api/permissions/per_1/reply', { 'content-type': 'application/json' }, Buffer.alloc(20_000, 0x20)), 413, 'serve.payload-too-large'],
      [call('POST', '/api/permissions/per_1/reply', { 'content-type': 'application/json' }, '{"reply":'), 400, 'serve.bad-request'],
    ];
    for (const [pending, status, code] of cases) {
      const r = await pending;
      expect([r.status, r.json.error?.code]).toEqual([status, code]);
    }
    clock += 10_000;
    for (const body of [{ reply: 'yes' }, { reply: 'once', message: 5 }, { reply: 'once', extra: 1 }, ['once']]) {
      const r = await post('/api/permissions/per_1/reply', body);
      expect([r.status, r.json.error?.code], JSON.stringify(body)).toEqual([400, 'serve.bad-request']);
      clock += 1_000;
    }
    clock += 10_000;
    const wrongCount = await post('/api/questions/que_1/reply', { answers: [['A'], ['B']] });
    expect(wrongCount.json.error?.message).toContain('one entry per question (1)');
  });

  it('answers a question, and passes a failed action through as a 502 with its code', async () => {
    clock += 10_000;
    expect((await post('/api/questions/que_1/reply', { answers: [['B']] })).status).toBe(200);
    expect(calls.at(-1)).toEqual({ kind: 'question', id: 'que_1', answers: [['B']] });
    const rejected = await call('POST', '/api/questions/que_1/reject', { 'content-type': 'application/json' });
    expect([rejected.status, rejected.json.error?.code]).toEqual([502, 'live.unreachable']);
  });

  it('answers 404 for a request that is not pending, and refuses GET on a reply route', async () => {
    clock += 10_000;
    const r = await post('/api/permissions/per_gone/reply', { reply: 'once' });
    expect([r.status, r.json.error?.code]).toEqual([404, 'serve.not-found']);
    expect((await call('GET', '/api/permissions/per_1/reply')).status).toBe(405);
  });

  it('rate-limits mutating calls per client with Retry-After, and recovers', async () => {
    clock += 10_000;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await post('/api/permissions/per_1/reply', { reply: 'once' })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const limited = await post('/api/permissions/per_1/reply', { reply: 'once' });
    expect([limited.json.error?.code, limited.headers['retry-after']]).toEqual(['serve.rate-limited', '1']);
    clock += 1_000;
    expect((await post('/api/permissions/per_1/reply', { reply: 'once' })).status).toBe(200);
    // Reads are not rate-limited.
    for (let i = 0; i < 5; i++) expect((await call('GET', '/api/health')).status).toBe(200);
  });
});
