/**
 * Child process of `bench:live`: N OpenCode stand-ins on 127.0.0.1, one HTTP server (one port) each, serving
 * the seed endpoints the follower reads (fetchSeed.ts) and a `/global/event` stream. On "go" each instance
 * emits `rate` events per second for `seconds`, staggered across instances, cycling through a realistic turn:
 * busy → todos → two tool calls (pending → running → completed) → todos → idle, over a pool of sessions.
 * Tool arguments and todo labels carry the send time (`@<epoch ms>`) so the follower side can time each one.
 * Heartbeats go out every 10 s as OpenCode's do. Runs only under `fork` (IPC); exits on its own after a bound.
 *
 * Messages: parent → child `{type:'go'}`; child → parent `{type:'ready', urls}`, `{type:'done', sent, ...}`.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { instances: { type: 'string' }, rate: { type: 'string' }, seconds: { type: 'string' } } });
const INSTANCES = Math.min(500, Number(values.instances ?? 100));
const RATE = Math.min(200, Number(values.rate ?? 20));
const SECONDS = Math.min(600, Number(values.seconds ?? 30));
const SESSIONS_PER_INSTANCE = 8;
const HEARTBEAT_MS = 10_000;
/** Whatever the parent does, this process ends: emitting time plus a generous margin. */
const HARD_LIMIT_MS = (SECONDS + 180) * 1000;

const epochMs = (): number => performance.timeOrigin + performance.now();

interface Instance {
  readonly index: number;
  readonly server: Server;
  readonly streams: Set<ServerResponse>;
  readonly directory: string;
  sent: number;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function sessionsOf(inst: Instance): unknown[] {
  return Array.from({ length: SESSIONS_PER_INSTANCE }, (_, s) => ({ id: `ses_${inst.index}_${s}`, title: `Bench session ${s}`, directory: inst.directory, time: { created: 0, updated: Date.now() } }));
}

function handle(inst: Instance, req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '').split('?')[0] ?? '';
  if (path === '/global/event') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(`data: ${JSON.stringify({ payload: { type: 'server.connected', properties: {} } })}\n\n`);
    inst.streams.add(res);
    res.on('close', () => inst.streams.delete(res));
    return;
  }
  if (path === '/global/health') return send(res, 200, { healthy: true, version: '1.18.33' });
  if (path === '/path') return send(res, 200, { home: '/home/bench', state: '/tmp', config: '/tmp', worktree: inst.directory, directory: inst.directory });
  if (path === '/session') return send(res, 200, sessionsOf(inst));
  if (path === '/session/status' || path === '/experimental/session') return send(res, 200, path === '/session/status' ? {} : []);
  if (path === '/permission' || path === '/question') return send(res, 200, []);
  if (/^\/session\/[^/]+\/(todo|message)$/.test(path)) return send(res, 200, []);
  send(res, 404, { error: 'not found' });
}

/** The n-th event of an instance: a ten-event turn on session (turn mod pool size). */
function eventAt(inst: Instance, n: number): unknown {
  const turn = Math.floor(n / 10);
  const sessionID = `ses_${inst.index}_${turn % SESSIONS_PER_INSTANCE}`;
  const stamp = epochMs().toFixed(3);
  const tool = (call: number, status: string) => {
    const callID = `call_${inst.index}_${turn}_${call}`;
    const input = { command: `bench ${n}@${stamp}`, description: 'Synthetic load' };
    const time = status === 'pending' ? undefined : status === 'running' ? { start: Date.now() } : { start: Date.now() - 50, end: Date.now() };
    const state = { status, input, ...(time ? { time } : {}), ...(status === 'completed' ? { output: 'ok', title: 'bench', metadata: {} } : {}) };
    return { type: 'message.part.updated', properties: { sessionID, part: { id: `prt_${callID}`, sessionID, messageID: `msg_${inst.index}_${turn}`, type: 'tool', callID, tool: 'bash', state }, time: Date.now() } };
  };
  const todos = (label: string, done: number) => ({
    type: 'todo.updated',
    properties: { sessionID, todos: [...Array.from({ length: done }, (_, i) => ({ content: `done ${i}`, status: 'completed', priority: 'low' })), { content: `${label} ${n}@${stamp}`, status: 'in_progress', priority: 'high' }, { content: 'Ship it', status: 'pending', priority: 'medium' }] },
  });
  const payloads = [
    { type: 'session.status', properties: { sessionID, status: { type: 'busy' } } },
    todos('Plan', 0),
    tool(1, 'pending'),
    tool(1, 'running'),
    tool(1, 'completed'),
    tool(2, 'pending'),
    tool(2, 'running'),
    tool(2, 'completed'),
    todos('Wrap up', 1),
    { type: 'session.status', properties: { sessionID, status: { type: 'idle' } } },
  ];
  return { directory: inst.directory, payload: { id: `evt_${inst.index}_${n}`, ...(payloads[n % 10] as object) } };
}

function broadcast(inst: Instance, event: unknown): void {
  const frame = `data: ${JSON.stringify(event)}\n\n`;
  for (const res of inst.streams) res.write(frame);
}

async function start(): Promise<Instance[]> {
  const instances: Instance[] = [];
  for (let index = 0; index < INSTANCES; index++) {
    const inst: Instance = { index, server: createServer((req, res) => handle(inst, req, res)), streams: new Set(), directory: `/bench/project-${index}`, sent: 0 };
    await new Promise<void>((resolve) => inst.server.listen(0, '127.0.0.1', resolve));
    instances.push(inst);
  }
  return instances;
}

function emit(instances: Instance[]): Promise<void> {
  const periodMs = 1000 / RATE;
  const perInstance = Math.round(SECONDS * RATE);
  const timers: NodeJS.Timeout[] = [];
  const heartbeat = setInterval(() => instances.forEach((i) => broadcast(i, { payload: { type: 'server.heartbeat', properties: {} } })), HEARTBEAT_MS);
  return new Promise((resolve) => {
    let finished = 0;
    for (const inst of instances) {
      // Staggered so the instances' events spread over each period instead of arriving as one burst.
      const offset = (inst.index / instances.length) * periodMs;
      timers.push(
        setTimeout(() => {
          const tick = setInterval(() => {
            broadcast(inst, eventAt(inst, inst.sent));
            inst.sent += 1;
            if (inst.sent >= perInstance) {
              clearInterval(tick);
              if (++finished === instances.length) (clearInterval(heartbeat), resolve());
            }
          }, periodMs);
          timers.push(tick);
        }, offset),
      );
    }
  });
}

async function main(): Promise<void> {
  if (!process.send) throw new Error('liveMonitorFakeServers runs only as a forked child of bench:live');
  const hardStop = setTimeout(() => process.exit(2), HARD_LIMIT_MS);
  hardStop.unref();
  const instances = await start();
  const close = (): void => {
    for (const inst of instances) {
      inst.streams.forEach((r) => r.destroy());
      inst.server.close();
    }
    process.exit(0);
  };
  process.once('SIGINT', close);
  process.once('SIGTERM', close);
  process.once('disconnect', close);
  process.on('message', (message: { type?: string }) => {
    if (message.type !== 'go') return;
    const began = epochMs();
    void emit(instances).then(() => {
      const sent = instances.reduce((n, i) => n + i.sent, 0);
      process.send?.({ type: 'done', sent, emitMs: epochMs() - began, streams: instances.reduce((n, i) => n + i.streams.size, 0) });
    });
  });
  process.send({ type: 'ready', urls: instances.map((i) => `http://127.0.0.1:${(i.server.address() as AddressInfo).port}`) });
}

void main();
