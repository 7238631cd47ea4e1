import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpencodeClient } from './opencodeClient.js';
import { subscribeEvents } from './eventStream.js';
import type { OpencodeEvent } from './opencodeTypes.js';

/** A stand-in for OpenCode's `/global/event`: enveloped `data:` frames, pushed on demand. */
let server: Server;
let url = '';
let stream: ServerResponse | undefined;
let lastHeaders: IncomingHttpHeaders = {};
const send = (payload: unknown): void => void stream?.write(`data: ${JSON.stringify(payload)}\n\n`);

beforeAll(async () => {
  server = createServer((req, res) => {
    lastHeaders = req.headers;
    if (req.url === '/global/event') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      stream = res;
      send({ payload: { type: 'server.connected', properties: {} } });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('subscribeEvents', () => {
  it('unwraps envelopes, collects, waits and iterates; the client sends auth and directory', async () => {
    const client = createOpencodeClient({ url, password: 'pw', directory: '/tmp/project' });
    const sub = await subscribeEvents(client);
    expect(lastHeaders.authorization).toBe(`Basic ${Buffer.from('opencode:pw').toString('base64')}`);
    expect(lastHeaders['x-opencode-directory']).toBe('/tmp/project');

    const idle = sub.waitFor((e) => e.type === 'session.idle', { timeoutMs: 2000 });
    send({ directory: '/tmp/project', payload: { id: 'evt_1', type: 'session.status', properties: { sessionID: 's1', status: { type: 'busy' } } } });
    // A frame split across writes and a malformed frame must not break the parser.
    stream?.write('data: {"payload":{"type":"message.part.delta",');
    stream?.write('"properties":{"sessionID":"s1","delta":"hi"}}}\n\ndata: {broken\n\n');
    send({ directory: '/tmp/project', payload: { type: 'session.idle', properties: { sessionID: 's1' } } });
    expect((await idle).directory).toBe('/tmp/project');
    expect(sub.events.map((e) => e.type)).toEqual(['server.connected', 'session.status', 'message.part.delta', 'session.idle']);

    const seen: OpencodeEvent[] = [];
    const iterating = (async () => {
      for await (const e of sub) {
        seen.push(e);
        if (e.type === 'todo.updated') break;
      }
    })();
    await new Promise((r) => setTimeout(r, 20));
    send({ payload: { type: 'todo.updated', properties: { sessionID: 's1', todos: [] } } });
    await iterating;
    expect(seen.map((e) => e.type)).toEqual(['todo.updated']);

    await expect(sub.waitFor((e) => e.type === 'never', { timeoutMs: 100 })).rejects.toThrow(/not seen within 100 ms/);
    sub.close();
    await expect(sub.waitFor((e) => e.type === 'never')).rejects.toThrow(/closed/);
  });

  it('fails clearly when the stream cannot be opened', async () => {
    await expect(subscribeEvents(createOpencodeClient({ url }), { path: '/nope' })).rejects.toThrow(/HTTP 404/);
  });
});
