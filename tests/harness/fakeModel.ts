/**
 * A scripted, OpenAI-compatible (and Anthropic-compatible) LLM server on loopback for driving real OpenCode offline.
 * Each test registers a scenario (ordered steps); a prompt selects it with `[[scenario:<id>]]`, and the number of
 * tool rounds since the last user message selects the step.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { classifyRequest, findScenarioId } from './fakeScript.js';
import type { FakeHttpError, FakeStep, NormalizedRequest, RequestKind } from './fakeScript.js';
import { normalizeOpenAiRequest, openAiErrorBody, openAiFrames } from './openAiFormat.js';
import { anthropicErrorBody, anthropicFrames, normalizeAnthropicRequest } from './anthropicFormat.js';
import { silentLog } from './harnessLog.js';
import type { HarnessLog } from './harnessLog.js';

export interface FakeModelOptions {
  /** Model id listed by `/v1/models` and echoed in chunks. @default 'fake-model' */
  model?: string;
  /** Answer to title-generation requests. @default 'Fake session title' */
  title?: string;
  /** Answer to tool-less non-title requests (compaction). @default 'Summary of the conversation so far.' */
  summary?: string;
  /** Answer when the prompt has no marker, or a scenario ran out of steps. @default 'Done.' */
  fallbackText?: string;
  /** Scenarios registered up front. */
  scenarios?: Record<string, FakeStep[]>;
  /** Keep each request's parsed body in the log (for debugging a script). @default false */
  keepBodies?: boolean;
  /** Oldest log entries are dropped beyond this. @default 2000 */
  maxLogEntries?: number;
  log?: HarnessLog;
}

/** One received chat request, as logged for assertions. */
export interface FakeRequestInfo {
  seq: number;
  time: number;
  format: 'openai' | 'anthropic';
  kind: RequestKind;
  scenarioId: string | undefined;
  /** Index of the scripted step answered (undefined for title/summary/fallback). */
  stepIndex: number | undefined;
  /** 0 for the first time this step was requested, 1 for the first retry… */
  attempt: number;
  tools: string[];
  messageCount: number;
  /** HTTP status answered. */
  status: number;
  /** 'completed', 'error' (scripted HTTP error) or 'aborted' (client went away mid-stream). */
  outcome: 'completed' | 'error' | 'aborted';
  body?: unknown;
}

export interface FakeModel {
  /** Base URL ending in `/v1`, for the provider's `baseURL`. */
  readonly url: string;
  readonly port: number;
  /** Received chat requests, oldest first (bounded). */
  readonly requests: readonly FakeRequestInfo[];
  /** Registers or replaces a scenario and resets its retry counters. */
  setScript(id: string, steps: FakeStep[]): void;
  /** Same as setScript, for scenario-shaped objects. */
  addScenario(scenario: { id: string; steps: FakeStep[] }): void;
  /** Requests answered for one scenario id. */
  requestsFor(id: string): FakeRequestInfo[];
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;
const MAX_DELAY_MS = 120_000;

export async function startFakeModel(opts: FakeModelOptions = {}): Promise<FakeModel> {
  const model = opts.model ?? 'fake-model';
  const log = opts.log ?? silentLog;
  const maxLog = opts.maxLogEntries ?? 2000;
  const scripts = new Map<string, FakeStep[]>(Object.entries(opts.scenarios ?? {}));
  const attempts = new Map<string, number>();
  const requests: FakeRequestInfo[] = [];
  let seq = 0;
  const newId = (): string => randomBytes(6).toString('hex');

  /** Picks the step for a request and counts attempts so scripted failures happen once each. */
  function plan(req: NormalizedRequest): { kind: RequestKind; id?: string; index?: number; attempt: number; step: FakeStep } {
    const kind = classifyRequest(req);
    const id = findScenarioId(req.userTexts);
    if (kind === 'title') return { kind, id, attempt: 0, step: { text: opts.title ?? 'Fake session title' } };
    if (kind === 'summary') return { kind, id, attempt: 0, step: { text: opts.summary ?? 'Summary of the conversation so far.' } };
    const steps = id === undefined ? undefined : scripts.get(id);
    const step = steps?.[req.toolRounds];
    if (id === undefined || !steps || !step) {
      if (id !== undefined) log('warn', `fake model: scenario ${id} has no step ${req.toolRounds}; answering fallback text`);
      return { kind, id, attempt: 0, step: { text: opts.fallbackText ?? 'Done.' } };
    }
    const key = `${id}#${req.toolRounds}`;
    const attempt = attempts.get(key) ?? 0;
    attempts.set(key, attempt + 1);
    return { kind, id, index: req.toolRounds, attempt, step };
  }

  function record(info: Omit<FakeRequestInfo, 'seq' | 'time'>): FakeRequestInfo {
    const entry: FakeRequestInfo = { seq: seq++, time: Date.now(), ...info };
    requests.push(entry);
    if (requests.length > maxLog) requests.splice(0, requests.length - maxLog);
    return entry;
  }

  async function handleChat(format: 'openai' | 'anthropic', body: unknown, res: ServerResponse, signal: AbortSignal): Promise<void> {
    const norm = format === 'openai' ? normalizeOpenAiRequest(body) : normalizeAnthropicRequest(body);
    const p = plan(norm);
    const scripted: FakeHttpError | undefined = p.step.error ?? p.step.failures?.[p.attempt];
    const entry = record({
      format,
      kind: p.kind,
      scenarioId: p.id,
      stepIndex: p.index,
      attempt: p.attempt,
      tools: norm.tools,
      messageCount: norm.messageCount,
      status: scripted?.status ?? 200,
      outcome: scripted ? 'error' : 'completed',
      ...(opts.keepBodies ? { body } : {}),
    });
    log('debug', `fake model: ${format} ${p.kind} scenario=${p.id ?? '-'} step=${p.index ?? '-'} attempt=${p.attempt}`);
    await sleep(p.step.delayMs ?? 0, signal);
    if (signal.aborted) return void (entry.outcome = 'aborted');
    if (scripted) {
      const errBody = scripted.body ?? (format === 'openai' ? openAiErrorBody(scripted.status) : anthropicErrorBody(scripted.status));
      const text = typeof errBody === 'string' ? errBody : JSON.stringify(errBody);
      res.writeHead(scripted.status, { 'content-type': typeof errBody === 'string' ? 'text/plain' : 'application/json', ...scripted.headers });
      res.end(text);
      return;
    }
    const frames = format === 'openai' ? openAiFrames(p.step, model, newId) : anthropicFrames(p.step, model, newId);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    for (const [i, frame] of frames.entries()) {
      if (signal.aborted) return void (entry.outcome = 'aborted');
      if (i > 0) await sleep(p.step.chunkDelayMs ?? 0, signal);
      if (signal.aborted) return void (entry.outcome = 'aborted');
      res.write(frame);
    }
    res.end();
  }

  async function route(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'GET' && /\/models$/.test(path)) {
      return json(res, 200, { object: 'list', data: [{ id: model, object: 'model', created: 0, owned_by: 'fake' }] });
    }
    if (req.method !== 'POST') return json(res, 404, { error: { message: `no route ${req.method} ${path}` } });
    const format = /\/chat\/completions$/.test(path) ? 'openai' : /\/messages$/.test(path) ? 'anthropic' : undefined;
    if (!format) return json(res, 404, { error: { message: `no route POST ${path}` } });
    const raw = await readBody(req, MAX_BODY_BYTES);
    let body: unknown;
    try {
      body = raw.length > 0 ? JSON.parse(raw) : {};
    } catch {
      return json(res, 400, { error: { message: 'invalid JSON body' } });
    }
    await handleChat(format, body, res, signal);
  }

  const server = createServer((req, res) => {
    // A client that disconnects (OpenCode abort) must stop the stream, not crash the server.
    const ac = new AbortController();
    res.on('close', () => ac.abort());
    req.on('error', () => ac.abort());
    res.on('error', () => ac.abort());
    route(req, res, ac.signal).catch((err: unknown) => {
      log('warn', `fake model: request failed: ${String(err)}`);
      if (!res.headersSent && !res.destroyed) json(res, 500, { error: { message: 'fake model internal error' } });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const setScript = (id: string, steps: FakeStep[]): void => {
    scripts.set(id, steps);
    for (const key of [...attempts.keys()]) if (key.startsWith(`${id}#`)) attempts.delete(key);
  };
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    setScript,
    addScenario: (s) => setScript(s.id, s.steps),
    requestsFor: (id) => requests.filter((r) => r.scenarioId === id),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error(`request body over ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Sleeps at most MAX_DELAY_MS and wakes early on abort. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  const wait = Math.min(Math.max(0, ms), MAX_DELAY_MS);
  if (wait === 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, wait);
    signal.addEventListener('abort', done, { once: true });
  });
}
