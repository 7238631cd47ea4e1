/**
 * The engine's HTTP + WebSocket edge: serves the built dashboard, a small REST surface, and streams tables as
 * Arrow IPC chunks over `/ws`. Every request passes the access checks in `access.ts` first.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tableFromIPC } from 'apache-arrow';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  decodeClientMessage,
  encodeArrowChunk,
  encodeMessage,
  formatProblem,
  PROTOCOL_VERSION,
  SCHEMA_VERSION,
  type ServerMessage,
  type TableName,
} from '../../../shared/src/index.js';
import type { Logger } from '../log.js';
import { allowedHosts, isAllowedHost, isAllowedOrigin, presentedToken, TOKEN_COOKIE, tokenMatches } from './access.js';
import { readStaticFile } from './staticFiles.js';

export interface TableSnapshot {
  readonly name: TableName;
  readonly rows: number;
  /** Arrow IPC streams, sent in order; the first creates the table, the rest append. */
  readonly chunks: readonly Uint8Array[];
}

export interface EngineSnapshot {
  readonly engineVersion: string;
  readonly demo: boolean;
  readonly dataDir: string;
  readonly tables: readonly TableSnapshot[];
}

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
  readonly logger: Logger;
}

export interface RunningServer {
  readonly port: number;
  readonly host: string;
  /** The URL to open: carries the token once; the page then keeps it in an HttpOnly cookie. */
  readonly url: string;
  close(): Promise<void>;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function refuse(res: http.ServerResponse, status: number, message: string): void {
  sendJson(res, status, { success: false, error: { code: 'serve.forbidden', message } });
}

function sendMessage(ws: WebSocket, message: ServerMessage): Promise<void> {
  return sendFrame(ws, encodeMessage(message));
}

/** Resolves once the frame is handed to the socket, so a slow client paces the sender instead of queueing. */
function sendFrame(ws: WebSocket, frame: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => ws.send(frame, (error) => (error ? reject(error) : resolve())));
}

async function streamSnapshot(ws: WebSocket, snapshot: EngineSnapshot): Promise<void> {
  await sendMessage(ws, {
    type: 'hello',
    protocolVersion: PROTOCOL_VERSION,
    schemaVersion: SCHEMA_VERSION,
    engineVersion: snapshot.engineVersion,
    tables: snapshot.tables.map((t) => t.name),
    demo: snapshot.demo,
    dataDir: snapshot.dataDir,
  });
  for (const table of snapshot.tables) {
    for (const [index, ipc] of table.chunks.entries()) {
      const rows = table.chunks.length === 1 ? table.rows : arrowRows(ipc);
      await sendFrame(ws, encodeArrowChunk({ type: 'arrow-chunk', table: table.name, chunk: index, rows }, ipc));
    }
  }
  await sendMessage(ws, { type: 'snapshot-done', rows: Object.fromEntries(snapshot.tables.map((t) => [t.name, t.rows])) });
}

function arrowRows(ipc: Uint8Array): number {
  return tableFromIPC(ipc).numRows;
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

  const authorize = (req: http.IncomingMessage): { ok: true; url: URL } | { ok: false; status: number; why: string } => {
    if (!isAllowedHost(req.headers.host, hosts)) return { ok: false, status: 421, why: `Host "${req.headers.host ?? ''}" is not this server` };
    if (!isAllowedOrigin(req.headers.origin, hosts)) return { ok: false, status: 403, why: `Origin "${req.headers.origin}" is not allowed` };
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!tokenMatches(presentedToken(url, req.headers), token)) return { ok: false, status: 401, why: 'missing or wrong token' };
    return { ok: true, url };
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const access = authorize(req);
      if (!access.ok) return refuse(res, access.status, access.why);
      const { url } = access;
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { success: false, error: { code: 'serve.forbidden', message: 'read-only' } });
      if (url.searchParams.has('token')) {
        // Trade the one-time URL token for an HttpOnly cookie and drop it from the address bar and history.
        res.writeHead(303, {
          location: url.pathname,
          'set-cookie': `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
          'cache-control': 'no-store',
        });
        return res.end();
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

  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return void sendMessage(ws, { type: 'problem', problem: { code: 'protocol.bad-message', message: 'clients send text frames only' } }).catch(() => undefined);
      const decoded = decodeClientMessage(data.toString());
      if (!decoded.ok) {
        logger.debug(`ws: ${formatProblem(decoded.problem)}`);
        return void sendMessage(ws, { type: 'problem', problem: decoded.problem }).catch(() => undefined);
      }
      void sendMessage(ws, { type: 'pong', requestId: decoded.value.requestId }).catch(() => undefined);
    });
    void options
      .snapshot()
      .then((snapshot) => streamSnapshot(ws, snapshot))
      .catch((error: unknown) => {
        logger.warn(`ws: snapshot not sent: ${(error as Error).message}`);
        ws.close(1011, 'snapshot failed');
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
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
