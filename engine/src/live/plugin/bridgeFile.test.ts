import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpencodeMonitorBridge } from './asset/opencode-monitor.js';
import { bridgeFilePath, createBridgeToken, parseBridgeEndpoint, readBridgeFile, removeBridgeFile, writeBridgeFile } from './bridgeFile.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ocm-bridge-file-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('writeBridgeFile / readBridgeFile', () => {
  it('writes a 0600 file in a fresh 0700 state dir and reads it back', async () => {
    const stateDir = path.join(dir, 'state', 'opencode-monitor');
    const token = createBridgeToken();
    const written = await writeBridgeFile(stateDir, { port: 43210, token });
    expect(written).toEqual({ ok: true, value: bridgeFilePath(stateDir) });
    expect((await fs.stat(bridgeFilePath(stateDir))).mode & 0o777).toBe(0o600);
    expect((await fs.stat(stateDir)).mode & 0o777).toBe(0o700);
    expect(await readBridgeFile(stateDir)).toEqual({ ok: true, value: { host: '127.0.0.1', port: 43210, token } });
  });

  it('replaces an existing file atomically, keeps 0600 and leaves no temp files', async () => {
    await fs.writeFile(bridgeFilePath(dir), '{"port":1,"token":"old"}', { mode: 0o644 });
    await writeBridgeFile(dir, { port: 5000, token: 'new-token' });
    expect((await fs.stat(bridgeFilePath(dir))).mode & 0o777).toBe(0o600);
    expect(await fs.readdir(dir)).toEqual(['bridge.json']);
    const read = await readBridgeFile(dir);
    expect(read.ok && read.value.token).toBe('new-token');
  });

  it('refuses to publish an endpoint the plugin would refuse', async () => {
    const result = await writeBridgeFile(dir, { port: 0, token: 'x' });
    expect(result.ok).toBe(false);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('reports a missing or corrupt file as a problem', async () => {
    const missing = await readBridgeFile(dir);
    expect(missing.ok ? undefined : missing.problem.code).toBe('source.unreadable');
    await fs.writeFile(bridgeFilePath(dir), '{nope');
    const corrupt = await readBridgeFile(dir);
    expect(corrupt.ok ? undefined : corrupt.problem.code).toBe('parse.invalid-record');
  });

  it('writes the file at the default path the plugin looks at', async () => {
    const stateHome = path.join(dir, 'xdg-state');
    await writeBridgeFile(path.join(stateHome, 'opencode-monitor'), { port: 9, token: 't' });
    const pluginPath = OpencodeMonitorBridge.internals.bridgeFilePath({ XDG_STATE_HOME: stateHome, HOME: '/nowhere' });
    expect(pluginPath).toBe(bridgeFilePath(path.join(stateHome, 'opencode-monitor')));
    const parsed = OpencodeMonitorBridge.internals.parseEndpoint(JSON.parse(await fs.readFile(pluginPath, 'utf8')));
    expect(parsed).toEqual({ url: 'http://127.0.0.1:9/bridge/events', token: 't' });
  });
});

describe('removeBridgeFile', () => {
  it('removes the file only while it still carries our token', async () => {
    await writeBridgeFile(dir, { port: 5000, token: 'second-engine' });
    expect(await removeBridgeFile(dir, 'first-engine')).toEqual({ ok: true, value: false });
    expect(await fs.readdir(dir)).toEqual(['bridge.json']);
    expect(await removeBridgeFile(dir, 'second-engine')).toEqual({ ok: true, value: true });
    expect(await fs.readdir(dir)).toEqual([]);
    expect(await removeBridgeFile(dir, 'second-engine')).toEqual({ ok: true, value: false });
  });
});

describe('parseBridgeEndpoint (and the plugin’s copy of the same rules)', () => {
  const cases: Array<[string, unknown, boolean]> = [
    ['default host', { port: 80, token: 'abc' }, true],
    ['IPv6 loopback', { host: '::1', port: 80, token: 'abc' }, true],
    ['a LAN host', { host: '192.168.1.5', port: 80, token: 'abc' }, false],
    ['localhost by name', { host: 'localhost', port: 80, token: 'abc' }, false],
    ['all interfaces', { host: '0.0.0.0', port: 80, token: 'abc' }, false],
    ['a port out of range', { port: 70000, token: 'abc' }, false],
    ['a string port', { port: '80', token: 'abc' }, false],
    ['an empty token', { port: 80, token: '' }, false],
    ['a token with a newline', { port: 80, token: 'a\nb' }, false],
    ['not an object', 'port=80', false],
  ];
  it.each(cases)('%s', (_what, raw, accepted) => {
    expect(parseBridgeEndpoint(raw).ok).toBe(accepted);
    expect(OpencodeMonitorBridge.internals.parseEndpoint(raw) !== undefined).toBe(accepted);
  });

  it('the plugin addresses IPv6 loopback in brackets', () => {
    expect(OpencodeMonitorBridge.internals.parseEndpoint({ host: '::1', port: 81, token: 'k' })?.url).toBe('http://[::1]:81/bridge/events');
  });
});
