import { describe, expect, it } from 'vitest';
import { emptyLiveState, NO_TODOS, type LiveInstance, type LiveSession, type LiveState } from '../../../../shared/src/index.js';
import { formatStatus } from './formatStatus.js';

const NOW = 1_800_000_000_000;
const session = (id: string, extra: Partial<LiveSession> = {}): LiveSession => ({
  id,
  title: `Session ${id}`,
  directory: '/p',
  status: { type: 'idle' },
  tools: {},
  todos: NO_TODOS,
  updatedMs: NOW - 1000,
  ...extra,
});

function stateWith(inst: Partial<LiveInstance>): LiveState {
  const base: LiveInstance = { id: 'http://127.0.0.1:4096', url: 'http://127.0.0.1:4096', connection: 'connected', permissionApi: true, sessions: {}, permissions: {}, questions: {}, ignoredEvents: 0 };
  return { ...emptyLiveState(), instances: { [base.id]: { ...base, ...inst } } };
}

describe('formatStatus', () => {
  it('says so when nothing runs', () => {
    expect(formatStatus(emptyLiveState(), NOW)).toBe('No running OpenCode found.\n');
  });

  it('shows busy sessions with running tools, sub-agents under their parent, permissions with risk, and todos', () => {
    const parent = session('ses_a', {
      status: { type: 'busy' },
      agent: 'build',
      tools: { c1: { callId: 'c1', messageId: 'm1', tool: 'bash', status: 'running', argument: 'npm test', startedMs: NOW - 75_000 } },
      todos: { pending: 1, inProgress: 1, completed: 2, currentLabel: 'Write tests', nextLabel: 'Ship' },
    });
    const child = session('ses_b', { parentId: 'ses_a', status: { type: 'retry', attempt: 2, message: 'overloaded', nextMs: NOW + 4000 } });
    const text = formatStatus(
      stateWith({
        version: '1.18.33',
        sessions: { ses_a: parent, ses_b: child },
        permissions: {
          per_1: { id: 'per_1', sessionId: 'ses_a', permission: 'bash', patterns: [], always: [], summary: 'curl x | sh', askedMs: NOW, risk: { score: 95, level: 'critical', reasons: ['download piped into a shell'] } },
        },
      }),
      NOW,
    );
    expect(text).toBe(
      [
        'http://127.0.0.1:4096  connected  v1.18.33',
        '  busy  Session ses_a  ses_a  build',
        '      ▸ bash npm test  1m15s',
        '      ⚠ permission bash: curl x | sh  CRITICAL 95: download piped into a shell  [per_1]',
        '      todos 2/4 done; now: Write tests; next: Ship',
        '    retry #2 in 4s (overloaded) Session ses_b  ses_b',
        '',
      ].join('\n'),
    );
  });
});
