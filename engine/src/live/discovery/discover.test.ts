import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverInstances } from './discover.js';
import type { ProcessInfo, ProcessScan, ScanOptions } from './types.js';

/** A loopback server answering /global/health like OpenCode 1.18.33, optionally behind Basic auth. */
async function fakeOpencode(password?: string): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const expected = password === undefined ? undefined : `Basic ${Buffer.from(`opencode:${password}`).toString('base64')}`;
    if (expected !== undefined && req.headers.authorization !== expected) return void res.writeHead(401).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ healthy: true, version: '1.18.33' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => (server.close(() => r()), server.closeAllConnections())),
  };
}

let open: { port: number; close(): Promise<void> };
let locked: { port: number; close(): Promise<void> };
let closedPort: number;
beforeAll(async () => {
  open = await fakeOpencode();
  locked = await fakeOpencode('pw-from-env');
  const gone = await fakeOpencode();
  closedPort = gone.port;
  await gone.close();
});
afterAll(async () => {
  await open.close();
  await locked.close();
});

const proc = (pid: number, argv: string[], ports: number[], extra: Partial<ProcessInfo> = {}): ProcessInfo => ({
  pid,
  name: 'opencode',
  exe: '/opt/opencode/bin/opencode',
  argv,
  listening: ports.map((port) => ({ address: '127.0.0.1', port })),
  ...extra,
});

/** A scanner over fixed processes that honours the environment switch the way the real ones do. */
function fakeScan(processes: ProcessInfo[]): { scan: (o: ScanOptions) => Promise<ProcessScan>; seen: ScanOptions[] } {
  const seen: ScanOptions[] = [];
  return {
    seen,
    scan: async (o) => {
      seen.push(o);
      const visible = processes.map((p) => (o.readEnvironment === false ? { ...p, env: undefined } : p)) as ProcessInfo[];
      return { processes: visible, skipped: { vanished: 2, unreadable: 1 }, problems: [] };
    },
  };
}

const now = (): number => 1_000_000;

describe('discoverInstances', () => {
  it('confirms open and password servers, records mode, cwd, version and keeps credentials apart', async () => {
    const { scan } = fakeScan([
      proc(101, ['/opt/opencode/bin/opencode', 'serve', '--port', '0'], [open.port], { cwd: '/p/one' }),
      proc(102, ['/opt/opencode/bin/opencode', 'web'], [locked.port], { cwd: '/p/two', env: { OPENCODE_SERVER_PASSWORD: 'pw-from-env' } }),
      proc(103, ['/opt/opencode/bin/opencode'], [], { cwd: '/p/tui' }),
      proc(104, ['python3', '-m', 'http.server'], [open.port], { name: 'python3', exe: '/usr/bin/python3' }),
    ]);
    const round = await discoverInstances({ scan, now });
    expect(round.instances).toEqual([
      { id: `http://127.0.0.1:${open.port}`, url: `http://127.0.0.1:${open.port}`, pid: 101, port: open.port, mode: 'serve', cwd: '/p/one', version: '1.18.33', auth: 'none', source: 'process', lastSeenMs: 1_000_000 },
      { id: `http://127.0.0.1:${locked.port}`, url: `http://127.0.0.1:${locked.port}`, pid: 102, port: locked.port, mode: 'web', cwd: '/p/two', version: '1.18.33', auth: 'basic', source: 'process', lastSeenMs: 1_000_000 },
    ]);
    expect(round.processes.map((p) => [p.pid, p.mode])).toEqual([
      [101, 'serve'],
      [102, 'web'],
      [103, 'tui'],
    ]);
    expect(round.credentials.get(`http://127.0.0.1:${locked.port}`)?.username).toBe('opencode');
    expect(round.credentials.size).toBe(1);
    expect(round.skipped).toEqual({ vanished: 2, unreadable: 1 });
    expect(JSON.stringify(round)).not.toContain('pw-from-env');
  });

  it('marks a password server locked when its environment is not read, and opens it with config credentials', async () => {
    const p = proc(102, ['opencode', 'serve'], [locked.port], { env: { OPENCODE_SERVER_PASSWORD: 'pw-from-env' } });
    const noEnv = fakeScan([p]);
    const lockedRound = await discoverInstances({ scan: noEnv.scan, readEnvironment: false, now });
    expect(noEnv.seen[0]?.readEnvironment).toBe(false);
    expect(lockedRound.instances.map((i) => i.auth)).toEqual(['locked']);
    const withConfig = await discoverInstances({ scan: fakeScan([p]).scan, readEnvironment: false, credentials: [{ password: 'pw-from-env' }], now });
    expect(withConfig.instances.map((i) => i.auth)).toEqual(['basic']);
  });

  it('includes config-listed URLs, merging one that a process already serves', async () => {
    const { scan } = fakeScan([proc(101, ['opencode', 'serve'], [open.port])]);
    const round = await discoverInstances({
      scan,
      now,
      configured: [
        { url: `http://localhost:${open.port}/` }, // same server as pid 101
        { url: `http://127.0.0.1:${locked.port}/`, password: 'pw-from-env' },
        { url: `http://127.0.0.1:${locked.port + 0}/extra`, password: 'wrong' },
        { url: 'not a url' },
      ],
    });
    expect(round.instances.map((i) => [i.url, i.source, i.auth, i.mode])).toEqual([
      [`http://127.0.0.1:${open.port}`, 'process', 'none', 'serve'],
      [`http://127.0.0.1:${locked.port}`, 'config', 'basic', 'unknown'],
      [`http://127.0.0.1:${locked.port}/extra`, 'config', 'locked', 'unknown'],
    ]);
  });

  it('lists a listening OpenCode whose health check fails as unconfirmed, not as an instance', async () => {
    const { scan } = fakeScan([proc(105, ['opencode', 'serve'], [closedPort])]);
    const round = await discoverInstances({ scan, now, probeTimeoutMs: 500 });
    expect(round.instances).toEqual([]);
    expect(round.unconfirmed).toEqual([{ id: `http://127.0.0.1:${closedPort}`, pid: 105, source: 'process', reason: 'ECONNREFUSED' }]);
  });

  it('probes a server bound to 127.0.0.1 and ::1 once, and never a non-loopback address', async () => {
    const dual = proc(106, ['opencode', 'serve'], [], {
      listening: [
        { address: '127.0.0.1', port: open.port },
        { address: '::1', port: open.port },
        { address: '192.168.1.20', port: 5555 },
      ],
    });
    const urls: string[] = [];
    const recordingFetch: typeof fetch = async (input, init) => {
      urls.push(String(input));
      return fetch(input, init);
    };
    const round = await discoverInstances({ scan: fakeScan([dual]).scan, now, fetch: recordingFetch });
    expect(urls).toEqual([`http://127.0.0.1:${open.port}/global/health`]);
    expect(round.instances).toHaveLength(1);
  });

  it('never runs more health probes at once than allowed', async () => {
    const many = Array.from({ length: 9 }, (_, i) => proc(200 + i, ['opencode', 'serve'], [40_000 + i]));
    let inFlight = 0;
    let peak = 0;
    const slowFetch: typeof fetch = async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return new Response(JSON.stringify({ healthy: true, version: 'x' }), { status: 200 });
    };
    const round = await discoverInstances({ scan: fakeScan(many).scan, now, fetch: slowFetch, maxConcurrentProbes: 3 });
    expect(round.instances).toHaveLength(9);
    expect(peak).toBe(3);
  });
});
