/** The live state of followed OpenCode instances (`/api/live…`), flattened into lists where scripts want them. */
import { PROTOCOL_VERSION, SCHEMA_VERSION, type LiveState } from '../../../../../shared/src/index.js';
import type { Route } from '../router.js';
import { data } from './helpers.js';

function summary(state: LiveState) {
  const instances = Object.values(state.instances);
  const sessions = instances.flatMap((i) => Object.values(i.sessions));
  return {
    instance_count: instances.length,
    connected_count: instances.filter((i) => i.connection === 'connected').length,
    session_count: sessions.length,
    busy_count: sessions.filter((s) => s.status.type === 'busy').length,
    retry_count: sessions.filter((s) => s.status.type === 'retry').length,
    idle_count: sessions.filter((s) => s.status.type === 'idle').length,
    pending_permissions: instances.reduce((n, i) => n + Object.keys(i.permissions).length, 0),
    pending_questions: instances.reduce((n, i) => n + Object.keys(i.questions).length, 0),
    has_pending_ask_user: sessions.some((s) => s.askUser !== undefined),
  };
}

export const liveRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/live',
    async handle({ ctx }) {
      const state = ctx.live();
      return data({ summary: summary(state), state });
    },
  },
  {
    method: 'GET',
    path: '/api/live/instances',
    async handle({ ctx }) {
      return data(
        Object.values(ctx.live().instances).map((i) => ({
          id: i.id,
          url: i.url,
          connection: i.connection,
          last_error: i.lastError ?? null,
          version: i.version ?? null,
          permission_api: i.permissionApi,
          session_count: Object.keys(i.sessions).length,
          busy_count: Object.values(i.sessions).filter((s) => s.status.type === 'busy').length,
          pending_permissions: Object.keys(i.permissions).length,
          pending_questions: Object.keys(i.questions).length,
        })),
      );
    },
  },
  {
    method: 'GET',
    path: '/api/live/sessions',
    async handle({ ctx }) {
      return data(Object.values(ctx.live().instances).flatMap((i) => Object.values(i.sessions).map((s) => ({ instance_id: i.id, ...s }))));
    },
  },
  {
    method: 'GET',
    path: '/api/live/permissions',
    async handle({ ctx }) {
      return data(Object.values(ctx.live().instances).flatMap((i) => Object.values(i.permissions).map((p) => ({ instance_id: i.id, ...p }))));
    },
  },
  {
    method: 'GET',
    path: '/api/live/questions',
    async handle({ ctx }) {
      return data(Object.values(ctx.live().instances).flatMap((i) => Object.values(i.questions).map((q) => ({ instance_id: i.id, ...q }))));
    },
  },
];

export const healthRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/health',
    async handle({ ctx }) {
      const info = ctx.info();
      return data({ status: 'ok', service: 'opencode-monitor', engineVersion: info.engineVersion, protocolVersion: PROTOCOL_VERSION, schemaVersion: SCHEMA_VERSION, demo: info.demo, dataDir: info.dataDir });
    },
  },
  {
    method: 'GET',
    path: '/api/health/detailed',
    async handle({ ctx }) {
      const info = ctx.info();
      const live = summary(ctx.live());
      return data({
        status: 'ok',
        service: 'opencode-monitor',
        ...info,
        protocolVersion: PROTOCOL_VERSION,
        schemaVersion: SCHEMA_VERSION,
        tables: { sessions: ctx.rowCount('sessions'), messages: ctx.rowCount('messages'), parts: ctx.rowCount('parts'), ingest_issues: ctx.rowCount('ingest_issues') },
        live: { instances: live.instance_count, connected: live.connected_count, pending_permissions: live.pending_permissions },
        ...(ctx.stream ? { stream: ctx.stream() } : {}),
      });
    },
  },
  {
    method: 'GET',
    path: '/api/sync/status',
    async handle({ ctx }) {
      // The API is mounted once the first index is built, so it is always ready; the sources table counts the files.
      return data({ running: true, is_ready: true, files_processed: ctx.rowCount('sources') });
    },
  },
  {
    method: 'GET',
    path: '/api/sync_status',
    async handle({ now }) {
      return data({ backfill_active: false, initial_backfill_done: true, timestamp: new Date(now).toISOString(), is_ready: true });
    },
  },
];
