/**
 * The Monitoring panel's state: the live state the engine client keeps (shaped by liveView.ts), a clock that
 * ticks once a second for elapsed times and retry countdowns, toasts for new notifications, and the reply
 * actions with their in-flight flag and inline error per request.
 */
import { computed, onScopeDispose, reactive, ref, toRaw, watch } from 'vue';
import type { LiveNotification, LiveState, Result } from '../../../shared/src/index.js';
import { createLiveActions, type LiveActions, type PermissionReply } from '../connection/index.js';
import { describeNotification, unseenNotifications, type NotificationText } from './liveRequests.js';
import { buildInstanceViews, summarizeLive } from './liveView.js';

/** What the panel reads from the engine client's state (`EngineClient.state`, reactive in the page). */
export interface LiveSource {
  readonly live: LiveState;
  readonly notifications: readonly LiveNotification[];
}

export interface Toast extends NotificationText {
  readonly id: number;
  readonly notification: LiveNotification;
}

/** In-flight flag and last error of one pending request's reply. */
export interface RequestState {
  busy: boolean;
  error: string;
}

export interface LiveMonitorActions {
  replyPermission(id: string, reply: PermissionReply, message?: string): Promise<void>;
  replyQuestion(id: string, answers: readonly (readonly string[])[]): Promise<void>;
  rejectQuestion(id: string): Promise<void>;
  requestState(id: string): RequestState;
}

const MAX_TOASTS = 5;
/** Long enough to read after looking away; they can also be dismissed. */
const TOAST_LIFETIME_MS = 30_000;
const TICK_MS = 1_000;

export function useLiveMonitor(source: LiveSource, api: LiveActions = createLiveActions()) {
  const now = ref(Date.now());
  const tick = setInterval(() => (now.value = Date.now()), TICK_MS);
  const timers = new Set<ReturnType<typeof setTimeout>>();
  onScopeDispose(() => {
    clearInterval(tick);
    for (const t of timers) clearTimeout(t);
  });

  const instances = computed(() => buildInstanceViews(source.live));
  const summary = computed(() => summarizeLive(source.live));

  const toasts = ref<Toast[]>([]);
  let toastCounter = 0;
  const dismissToast = (id: number) => (toasts.value = toasts.value.filter((t) => t.id !== id));
  // Only notifications that arrive while the page is open become toasts, not ones kept from before.
  let lastSeen: LiveNotification | undefined = toRaw(source.notifications).at(-1);
  watch(
    () => source.notifications[source.notifications.length - 1],
    () => {
      const list = toRaw(source.notifications);
      const fresh = unseenNotifications(list, lastSeen);
      lastSeen = list.at(-1);
      for (const notification of fresh) {
        const id = ++toastCounter;
        toasts.value = [{ id, notification, ...describeNotification(notification) }, ...toasts.value].slice(0, MAX_TOASTS);
        const timer = setTimeout(() => {
          timers.delete(timer);
          dismissToast(id);
        }, TOAST_LIFETIME_MS);
        timers.add(timer);
      }
    },
  );

  const requests = reactive<Record<string, RequestState>>({});
  const requestState = (id: string): RequestState => requests[id] ?? { busy: false, error: '' };
  /** One reply at a time per request: a double click must not answer twice. */
  const run = async (id: string, call: () => Promise<Result<true>>): Promise<void> => {
    if (requests[id]?.busy) return;
    requests[id] = { busy: true, error: '' };
    const result = await call();
    // On success the request leaves the live state by itself (the engine's diff); only a failure stays to be read.
    requests[id] = { busy: false, error: result.ok ? '' : `${result.problem.message} (${result.problem.code})` };
  };

  const actions: LiveMonitorActions = {
    replyPermission: (id, reply, message) => run(id, () => api.replyPermission(id, reply, message)),
    replyQuestion: (id, answers) => run(id, () => api.replyQuestion(id, answers)),
    rejectQuestion: (id) => run(id, () => api.rejectQuestion(id)),
    requestState,
  };

  return { now, instances, summary, toasts, dismissToast, actions };
}

export type LiveMonitor = ReturnType<typeof useLiveMonitor>;
