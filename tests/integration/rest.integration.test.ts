/**
 * The REST API end to end: a generated corpus indexed by the real indexer, the handler mounted behind the real
 * access checks on a loopback socket, and every GET route called once, checking the envelope, the shape, and
 * exact values against the engine's tables. With REST_EXAMPLES_OUT=<file> it also writes each response (for
 * docs/api.md).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyLiveState, ok, type LiveState, type TableName } from '../../shared/src/index.js';
import { createIndexer, type Indexer } from '../../engine/src/ingest/index.js';
import { createMemoryLogger } from '../../engine/src/log.js';
import { createIngestPool, type IngestPool } from '../../engine/src/pipeline/index.js';
import { allowedHosts, checkAccess } from '../../engine/src/serve/access.js';
import { closeRestContext, handleApiRequest, ROUTES, type RestContext } from '../../engine/src/serve/rest/index.js';
import { generateCorpus } from '../corpus/generate.js';

const TOKEN = 'rest-integration-token-0123456789abcdefghij';
let work: string;
let pool: IngestPool;
let indexer: Indexer;
let server: http.Server;
let port: number;
let ctx: RestContext;
const examples: Record<string, unknown> = {};

const live: LiveState = {
  ...emptyLiveState(),
  instances: {
    'inst-4096': {
      id: 'inst-4096',
      url: 'http://127.0.0.1:4096',
      connection: 'connected',
      version: '1.18.33',
      permissionApi: true,
      ignoredEvents: 0,
      sessions: {
        ses_live: { id: 'ses_live', title: 'Fix the build', directory: '/home/dev/app', status: { type: 'busy' }, agent: 'build', model: 'anthropic/claude-sonnet', tools: {}, todos: { pending: 1, inProgress: 1, completed: 2, currentLabel: 'Run tests' }, updatedMs: 1_796_000_000_000 },
      },
      permissions: {
        per_live: { id: 'per_live', sessionId: 'ses_live', permission: 'bash', patterns: ['rm -rf dist'], always: ['rm *'], summary: 'rm -rf dist', risk: { score: 45, level: 'medium', reasons: ['recursive delete'] }, askedMs: 1_796_000_000_000 },
      },
      questions: {
        que_live: { id: 'que_live', sessionId: 'ses_live', questions: [{ question: 'Deploy now?', options: [{ label: 'Yes' }, { label: 'No' }] }], askedMs: 1_796_000_000_000 },
      },
    },
  },
};

function rows(table: TableName): Record<string, unknown>[] {
  return indexer.store.snapshot(table).flatMap((bytes) => tableFromIPC(bytes).toArray().map((r) => r.toJSON() as Record<string, unknown>));
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ocm-rest-int-'));
  const dataDir = join(work, 'opencode');
  await generateCorpus({ out: dataDir, parts: 2000 });
  pool = createIngestPool({ threads: 2 });
  indexer = createIndexer({ dataDir, stateDir: null, env: {}, pool, logger: createMemoryLogger() });
  await indexer.start();
  ctx = {
    tableChunks: (name) => indexer.store.snapshot(name),
    rowCount: (name) => indexer.store.rowCount(name),
    live: () => live,
    info: () => ({ engineVersion: 'integration', demo: false, dataDir }),
    actions: { replyPermission: async () => ok(true), replyQuestion: async () => ok(true), rejectQuestion: async () => ok(true) },
    logger: createMemoryLogger(),
    // The corpus ends 2026-11-01; "now" is pinned a day later so ?days= windows are stable.
    now: () => Date.UTC(2026, 10, 2),
  };
  let hosts = new Set<string>();
  server = http.createServer((req, res) => {
    const access = checkAccess(req, hosts, TOKEN);
    if (!access.ok) return void res.writeHead(access.status).end();
    void handleApiRequest(req, res, access.url, ctx).then((handled) => void (handled || res.writeHead(404).end()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(port, '127.0.0.1');
});

afterAll(async () => {
  if (process.env['REST_EXAMPLES_OUT']) await writeFile(process.env['REST_EXAMPLES_OUT'], JSON.stringify(examples, null, 2));
  await closeRestContext(ctx);
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await pool?.close();
  await indexer?.close();
  await rm(work, { recursive: true, force: true });
});

interface Envelope {
  success: boolean;
  data: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  meta?: { limit: number; offset: number; count: number; total: number; has_more: boolean; page?: number; per_page?: number; total_pages?: number };
  error?: { code: string; message: string };
}

function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Envelope }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: `127.0.0.1:${port}`, cookie: `ocm_token=${TOKEN}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        const json = JSON.parse(text) as Envelope;
        examples[`${method} ${path}`] = json;
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function get(path: string): Promise<Envelope> {
  const r = await call('GET', path);
  expect(r.json.error, path).toBeUndefined();
  expect([r.status, r.json.success], path).toEqual([200, true]);
  return r.json;
}

describe('REST API over an indexed corpus', () => {
  let root: Record<string, unknown>;

  beforeAll(() => {
    // The root session with the most tool calls, so per-session routes have something to show.
    const stats = rows('session_stats').sort((a, b) => Number(b['tool_calls']) - Number(a['tool_calls']) || String(a['root_session_id']).localeCompare(String(b['root_session_id'])));
    const id = stats.find((s) => Number(s['delegations']) > 0)?.['root_session_id'] ?? stats[0]!['root_session_id'];
    root = rows('sessions').find((s) => s['id'] === id)!;
  });

  it('counts rows exactly as the store does', async () => {
    const { data } = await get('/api/stats');
    expect(data.parts).toBe(indexer.store.rowCount('parts'));
    expect(data.sessions).toBe(rows('sessions').length);
    expect(data.parts).toBeGreaterThan(1500);
  });

  it('serves health and sync routes', async () => {
    expect((await get('/api/health')).data).toMatchObject({ status: 'ok', engineVersion: 'integration' });
    expect((await get('/api/health/detailed')).data.tables.messages).toBe(indexer.store.rowCount('messages'));
    expect((await get('/api/sync/status')).data.is_ready).toBe(true);
    expect((await get('/api/sync_status')).data.initial_backfill_done).toBe(true);
  });

  it('lists, pages and searches sessions', async () => {
    const all = rows('sessions');
    const first = await get('/api/sessions?days=3650&limit=5');
    expect(first.meta).toMatchObject({ limit: 5, offset: 0, count: 5, total: all.length, has_more: true });
    const second = await get('/api/sessions?days=3650&limit=5&offset=5');
    expect(new Set([...first.data, ...second.data].map((s: { id: string }) => s.id)).size).toBe(10);
    // The original's documented page/per_page scheme (seed §3.3) gives the same page, with its own meta.
    const paged = await get('/api/sessions?days=3650&page=2&per_page=5');
    expect(paged.data).toEqual(second.data);
    expect(paged.meta).toMatchObject({ page: 2, per_page: 5, total: all.length, total_pages: Math.ceil(all.length / 5) });
    expect((await call('GET', '/api/sessions?page=2&limit=5')).status).toBe(400);
    const newest = [...all].sort((a, b) => Number(b['created_at']) - Number(a['created_at']) || String(a['id']).localeCompare(String(b['id'])))[0]!;
    expect(first.data[0].id).toBe(newest['id']);
    const roots = await get('/api/sessions?days=3650&roots=true&limit=1');
    expect(roots.meta?.total).toBe(all.filter((s) => s['depth'] === 0).length);
    const title = String(root['title']);
    const found = await get(`/api/sessions/search?q=${encodeURIComponent(title.slice(0, 12))}`);
    expect(found.data.map((s: { id: string }) => s.id)).toContain(root['id']);
  });

  it('serves every per-session route with values matching the tables', async () => {
    const id = String(root['id']);
    const detail = await get(`/api/session/${id}`);
    expect(detail.data).toMatchObject({ id, tokens_total: Number(root['tokens_total']) });
    const toolRows = rows('tool_calls').filter((t) => t['session_id'] === id);
    expect((await get(`/api/session/${id}/tools`)).data.summary.total_calls).toBe(toolRows.length);
    expect((await get(`/api/session/${id}/tool-calls?limit=3`)).meta?.total).toBe(toolRows.length);
    expect((await get(`/api/session/${id}/operations?limit=3`)).meta?.total).toBe(toolRows.length);
    const assistant = rows('messages').filter((m) => m['session_id'] === id && m['role'] === 'assistant' && !m['is_fork_copy']);
    expect((await get(`/api/session/${id}/tokens`)).data.details.total).toBe(assistant.reduce((s, m) => s + Number(m['tokens_total']), 0));
    const partRows = rows('parts').filter((p) => p['session_id'] === id);
    expect((await get(`/api/session/${id}/parts?limit=2`)).meta?.total).toBe(partRows.length);
    expect((await get(`/api/session/${id}/messages?limit=2`)).meta?.total).toBe(partRows.length);
    const exchanges = rows('exchanges').filter((e) => e['session_id'] === id);
    const ex = await get(`/api/session/${id}/exchanges?limit=2`);
    expect([ex.meta?.total, ex.data[0].number]).toEqual([exchanges.length, 1]);
    const fileOps = rows('file_operations').filter((f) => f['session_id'] === id);
    expect((await get(`/api/session/${id}/files`)).data.details.files_with_stats).toHaveLength(fileOps.length);
    const timeline = await get(`/api/session/${id}/timeline?limit=10`);
    expect(timeline.meta?.total).toBe(toolRows.length + rows('messages').filter((m) => m['session_id'] === id).length);
    const steps = await get(`/api/session/${id}/steps`);
    expect(steps.data.totals.steps).toBe(rows('step_events').filter((s) => s['session_id'] === id).length);
    const delegations = rows('delegations').filter((d) => d['root_session_id'] === id);
    expect((await get(`/api/session/${id}/delegations`)).data.summary.total_delegations).toBe(delegations.length);
    for (const suffix of ['summary', 'agents', 'prompts', 'reasoning', 'git-history', 'file-parts', 'precise-cost', 'cost', 'todos']) await get(`/api/session/${id}/${suffix}`);
    // The session told as events: one per text, reasoning, tool, step-finish, patch and file part, numbered by exchange.
    const eventTypes = new Set(['text', 'reasoning', 'tool', 'step-finish', 'patch', 'file']);
    const ownEvents = partRows.filter((p) => eventTypes.has(String(p['type'])));
    const full = await get(`/api/session/${id}/timeline/full?limit=5000`);
    expect(full.data.timeline_total).toBe(ownEvents.length);
    expect(full.data.timeline.filter((e: { type: string }) => e.type === 'tool_call')).toHaveLength(toolRows.length);
    expect(Math.max(...full.data.timeline.map((e: { exchange_number: number | null }) => e.exchange_number ?? 0))).toBe(exchanges.length);
    const lastEvent = [...ownEvents].sort((a, b) => Number(a['created_at']) - Number(b['created_at'])).at(-1)!;
    expect(full.data.session).toMatchObject({ id, started_at: new Date(Number(root['created_at'])).toISOString(), ended_at: new Date(Math.max(Number(lastEvent['created_at']), Number(root['created_at']))).toISOString() });
    expect(full.data.summary).toMatchObject({ total_exchanges: exchanges.length, total_tool_calls: toolRows.length, delegations: delegations.filter((d) => d['parent_session_id'] === id).length });
    const childIds = rows('sessions').filter((s) => s['parent_id'] === id).map((s) => String(s['id']));
    expect(full.data.delegations.map((d: { child_session_id: string }) => d.child_session_id).sort()).toEqual([...childIds].sort());
    const withChildren = await get(`/api/session/${id}/timeline/full?limit=2&include_children=true&stream=true`);
    // Sub-agents of sub-agents too.
    const subtree = new Set(childIds);
    for (let grew = true; grew; ) {
      const before = subtree.size;
      for (const s of rows('sessions')) if (subtree.has(String(s['parent_id']))) subtree.add(String(s['id']));
      grew = subtree.size > before;
    }
    const childEvents = rows('parts').filter((p) => subtree.has(String(p['session_id'])) && eventTypes.has(String(p['type']))).length;
    expect([withChildren.data.timeline.length, withChildren.data.timeline_total, withChildren.data.timeline_truncated]).toEqual([2, ownEvents.length + childEvents, true]);
    expect(childIds.length).toBeGreaterThan(0);
    const child = childIds[0]!;
    const sub = await get(`/api/session/${child}/delegation-timeline`);
    const childParts = rows('parts').filter((p) => p['session_id'] === child && ['reasoning', 'text', 'tool', 'step-start', 'step-finish'].includes(String(p['type'])));
    const userTexts = childParts.filter((p) => p['type'] === 'text' && rows('messages').find((m) => m['id'] === p['message_id'])?.['role'] === 'user');
    expect(sub.data.meta).toMatchObject({ session_id: child, total: childParts.length - userTexts.length });
    expect(sub.data.prompt_input).toBe(userTexts[0]?.['preview'] ?? rows('sessions').find((s) => s['id'] === child)?.['title']);
    expect((await call('GET', '/api/session/ses_does_not_exist/summary')).status).toBe(404);
  });

  it('serves usage statistics that add up to the tables', async () => {
    const calls = rows('tool_calls');
    const tools = (await get('/api/stats/tools?days=3650')).data as { tool: string; invocations: number }[];
    expect(tools.reduce((s, t) => s + t.invocations, 0)).toBe(calls.length);
    const global = await get('/api/global-stats?days=3650');
    expect(global.data.summary.total_tool_calls).toBe(calls.length);
    expect(global.data.summary.total_sessions).toBe(rows('sessions').length);
    const daily = (await get('/api/stats/daily?days=3650')).data as { tokens_total: number }[];
    expect(daily.reduce((s, d) => s + d.tokens_total, 0)).toBe(rows('daily_stats').reduce((s, d) => s + Number(d['tokens_total']), 0));
    const models = (await get('/api/stats/models?days=3650')).data as unknown[];
    expect(models.length).toBe(new Set(rows('daily_stats').map((d) => `${d['provider_id']}/${d['model_id']}`)).size);
    expect(((await get('/api/stats/skills?days=3650')).data as { load_count: number }[]).reduce((s, r) => s + r.load_count, 0)).toBe(rows('skills').length);
    await get('/api/stats/agents?days=3650');
    expect((await get('/api/delegations?days=3650&limit=3')).meta?.total).toBe(rows('delegations').length);
    expect((await get(`/api/tool-calls?days=3650&tool=bash&limit=3`)).meta?.total).toBe(calls.filter((c) => c['tool'] === 'bash').length);
  });

  it('builds the tracing tree and traces', async () => {
    const roots = rows('sessions').filter((s) => s['depth'] === 0);
    const tree = await get('/api/tracing/tree?days=3650&limit=3');
    expect(tree.meta?.total).toBe(roots.length);
    expect(tree.data).toHaveLength(3);
    expect(tree.data[0]).toMatchObject({ node_type: 'session' });
    const trace = await get(`/api/trace/${String(root['id'])}`);
    const turns = trace.data.children.filter((c: { node_type: string }) => c.node_type === 'user_turn');
    expect(turns).toHaveLength(rows('exchanges').filter((e) => e['session_id'] === root['id']).length);
    const agentNodes = JSON.stringify(trace.data).match(/"node_type":"agent"/g) ?? [];
    expect(agentNodes.length).toBe(rows('delegations').filter((d) => d['root_session_id'] === root['id']).length);
    expect((await get('/api/traces?days=3650&limit=2')).meta?.total).toBe(roots.length);
  });

  it('serves the security audit', async () => {
    const events = rows('security_events');
    const security = await get('/api/security?row_limit=3&top_limit=3');
    expect(security.data.stats.total_scanned).toBe(events.length);
    expect(security.data.stats.critical).toBe(events.filter((e) => e['level'] === 'critical').length);
    expect((await get('/api/security/events?days=3650&level=high&limit=2')).meta?.total).toBe(events.filter((e) => e['level'] === 'high').length);
    expect((await get('/api/security/findings?limit=2')).meta?.total).toBe(rows('security_findings').length);
    await get('/api/security/stats');
  });

  it('serves the live state', async () => {
    expect((await get('/api/live')).data.summary).toMatchObject({ instance_count: 1, busy_count: 1, pending_permissions: 1, pending_questions: 1 });
    expect((await get('/api/live/instances')).data[0]).toMatchObject({ id: 'inst-4096', session_count: 1 });
    expect((await get('/api/live/sessions')).data[0]).toMatchObject({ instance_id: 'inst-4096', id: 'ses_live' });
    expect((await get('/api/live/permissions')).data[0]).toMatchObject({ id: 'per_live', summary: 'rm -rf dist' });
    expect((await get('/api/live/questions')).data[0]).toMatchObject({ id: 'que_live' });
  });

  it('answers the reply routes', async () => {
    expect((await call('POST', '/api/permissions/per_live/reply', { reply: 'once' })).json).toEqual({ success: true, data: { accepted: true } });
    expect((await call('POST', '/api/questions/que_live/reply', { answers: [['Yes']] })).status).toBe(200);
    expect((await call('POST', '/api/questions/que_live/reject', {})).status).toBe(200);
  });

  it('has called every route', () => {
    const called = Object.keys(examples).map((k) => k.split('?')[0]!);
    const missing = ROUTES.filter((r) => !called.some((c) => c.startsWith(`${r.method} `) && new RegExp(`^${r.method} ${r.path.replace(/:[a-z]+/g, '[^/]+')}$`).test(c)));
    expect(missing.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });
});
