/**
 * The engine's HTTP + WebSocket edge: serves the built dashboard, a small REST surface, and on `/ws` the stream
 * of `stream/` (a snapshot whose tables come as an HTTP body from `/snapshot/<ticket>`, then seq'd deltas, with
 * flow control and resume). Every request
 * passes the access checks in `access.ts` first.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  decodeClientMessage,
  formatProblem,
  PROTOCOL_VERSION,
  SCHEMA_VERSION,
} from '../../../shared/src/index.js';
import type { Logger } from '../log.js';
import { handleApiRequest, type RestContext } from './rest/index.js';
import { allowedHosts, isAllowedHost, isAllowedOrigin, presentedToken, TOKEN_COOKIE, tokenMatches } from './access.js';
import { readStaticFile } from './staticFiles.js';
import { createStreamHub, SNAPSHOT_BODY_PATH, type ContentResolver, type EngineSnapshot, type ResumePoint, type StreamHub, type StreamSocket } from './stream/index.js';

export type { EngineSnapshot, TableSnapshot } from './stream/index.js';

/** Where the OpenCode plugin posts its events (engine/src/live/plugin). */
export const BRIDGE_PATH = '/bridge/events';

export interface ServerOptions {
  readonly host: string;
  /** First port to try; 0 picks a free one. */
  readonly port: number;
  /** How many following ports to try when the requested one is taken. */
  readonly portAttempts?: number;
  readonly token: string;
  /** Directory of the built dashboard (vite build output). */
  readonly uiDir: string;
  readonly snapshot: () => Promise<EngineSnapshot>;
  /**
   * The seq'd stream clients follow after their snapshot (deltas, live state, notifications). Without one the
   * server makes a hub over `snapshot` that never publishes: clients get the snapshot and nothing after.
   */
  readonly stream?: StreamHub;
  /** Answers `request` messages (a part's text, a tool's output, a transcript). */
  readonly resolveContent?: ContentResolver;
  /** Flow-control bound per client, in bytes. @default 8 MiB */
  readonly maxInFlightBytes?: number;
  /** The REST API (`/api/*`): routes, envelope, pagination, replies. Without it only `/api/health` answers. */
  readonly rest?: RestContext;
  /**
   * `POST /bridge/events` from the OpenCode plugin. It carries the bridge token, not the install token, so it
   * passes the Host and Origin checks here and checks its own token.
   */
  readonly bridge?: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;
  readonly logger: Logger;
}

export interface RunningServer {
  readonly port: number;
  readonly host: string;
  /** The URL to open: carries the token once; the page then keeps it in an HttpOnly cookie. */
  readonly url: string;
  readonly stream: StreamHub;
  close(): Promise<void>;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function refuse(res: http.ServerResponse, status: number, message: string): void {
  sendJson(res, status, { success: false, error: { code: 'serve.forbidden', message } });
}

/** `ws`'s WebSocket as the stream sees it: frames out with a completion callback, and close. */
function streamSocket(ws: WebSocket): StreamSocket {
  return {
    send: (frame, done) => ws.send(frame, (error) => done(error ?? undefined)),
    close: (code, reason) => ws.close(code, reason),
  };
}

/** A reconnecting client may name its resume point in the URL: `/ws?epoch=…&lastSeq=…`. */
function resumePointOf(url: URL): ResumePoint | undefined {
  const epoch = url.searchParams.get('epoch');
  const lastSeq = Number(url.searchParams.get('lastSeq'));
  if (!epoch || epoch.length > 256 || !url.searchParams.has('lastSeq') || !Number.isSafeInteger(lastSeq) || lastSeq < 0) return undefined;
  return { epoch, lastSeq };
}

function listen(server: http.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { logger, token } = options;
  let hosts = new Set<string>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const hub = options.stream ?? createStreamHub({ snapshot: options.snapshot });

  const authorize = (req: http.IncomingMessage): { ok: true; url: URL } | { ok: false; status: number; why: string } => {
    if (!isAllowedHost(req.headers.host, hosts)) return { ok: false, status: 421, why: `Host "${req.headers.host ?? ''}" is not this server` };
    if (!isAllowedOrigin(req.headers.origin, hosts)) return { ok: false, status: 403, why: `Origin "${req.headers.origin}" is not allowed` };
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!tokenMatches(presentedToken(url, req.headers), token)) return { ok: false, status: 401, why: 'missing or wrong token' };
    return { ok: true, url };
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      if (options.bridge && req.url === BRIDGE_PATH) {
        if (!isAllowedHost(req.headers.host, hosts) || req.headers.origin !== undefined) return refuse(res, 403, 'the bridge takes loopback requests without an Origin');
        return options.bridge(req, res);
      }
      const access = authorize(req);
      if (!access.ok) return refuse(res, access.status, access.why);
      const { url } = access;
      if (options.rest && url.pathname.startsWith('/api/') && (await handleApiRequest(req, res, url, options.rest))) return;
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { success: false, error: { code: 'serve.method-not-allowed', message: 'read-only' } });
      if (url.searchParams.has('token') && !url.pathname.startsWith('/api/')) {
        // Trade the one-time URL token for an HttpOnly cookie and drop it from the address bar and history.
        // The page's other parameters stay (`?attach=0`).
        const kept = new URLSearchParams(url.searchParams);
        kept.delete('token');
        res.writeHead(303, {
          location: kept.size > 0 ? `${url.pathname}?${kept}` : url.pathname,
          'set-cookie': `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
          'cache-control': 'no-store',
        });
        return res.end();
      }
      if (url.pathname.startsWith(SNAPSHOT_BODY_PATH) && req.method === 'GET') {
        const id = url.pathname.slice(SNAPSHOT_BODY_PATH.length);
        if (hub.snapshotBodies.serve(id, res, options.maxInFlightBytes)) return;
        return sendJson(res, 404, { success: false, error: { code: 'serve.not-found', message: 'no such snapshot body: each is fetched once, by the connection it was issued to, within a minute' } });
      }
      if (url.pathname === '/api/health') {
        const snap = await options.snapshot();
        return sendJson(res, 200, { success: true, data: { protocolVersion: PROTOCOL_VERSION, schemaVersion: SCHEMA_VERSION, engineVersion: snap.engineVersion, demo: snap.demo, dataDir: snap.dataDir } });
      }
      if (url.pathname.startsWith('/api/')) return sendJson(res, 404, { success: false, error: { code: 'serve.not-found', message: `no route ${url.pathname}` } });
      const file = await readStaticFile(options.uiDir, url.pathname);
      if (!file) return sendJson(res, 404, { success: false, error: { code: 'serve.not-found', message: `no file ${url.pathname}` } });
      res.writeHead(200, {
        'content-type': file.contentType,
        'content-length': file.body.length,
        'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      });
      res.end(req.method === 'HEAD' ? undefined : file.body);
    })().catch((error: unknown) => {
      logger.error(`serve: ${req.method} ${req.url}: ${(error as Error).message}`);
      if (!res.headersSent) sendJson(res, 500, { success: false, error: { code: 'internal.bug', message: 'internal error' } });
      else res.destroy();
    });
  });

  server.on('upgrade', (req, socket, head) => {
    const access = authorize(req);
    if (!access.ok || access.url.pathname !== '/ws') {
      const status = access.ok ? 404 : access.status;
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws, req: http.IncomingMessage) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const session = hub.attach(streamSocket(ws), {
      logger,
      resume: resumePointOf(url),
      liveOnly: url.searchParams.get('live') === '1',
      attach: url.searchParams.get('attach') === '1',
      ...(options.resolveContent ? { resolveContent: options.resolveContent } : {}),
      ...(options.maxInFlightBytes ? { maxInFlightBytes: options.maxInFlightBytes } : {}),
    });
    ws.on('close', () => session.close());
    ws.on('error', (error) => logger.debug(`ws: ${error.message}`));
    ws.on('message', (data, isBinary) => {
      // A malformed message is answered with a problem and dropped; the connection and its stream carry on.
      if (isBinary) return session.problem({ code: 'protocol.bad-message', message: 'clients send text frames only' });
      const decoded = decodeClientMessage(data.toString());
      if (!decoded.ok) {
        logger.debug(`ws: ${formatProblem(decoded.problem)}`);
        return session.problem(decoded.problem);
      }
      session.handle(decoded.value);
    });
  });

  const attempts = options.portAttempts ?? 20;
  let port = options.port;
  for (let attempt = 0; ; attempt++) {
    try {
      port = await listen(server, options.host, port);
      break;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== 'EADDRINUSE' || options.port === 0 || attempt + 1 >= attempts) throw error;
      logger.warn(`serve.port-in-use: port ${port} is taken; trying ${port + 1}`);
      port += 1;
    }
  }
  hosts = allowedHosts(port, options.host);
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    port,
    host: options.host,
    url: `http://${shownHost}:${port}/?token=${token}`,
    stream: hub,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
