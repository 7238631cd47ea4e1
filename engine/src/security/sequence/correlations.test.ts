import { describe, expect, it } from 'vitest';
import type { ActionKind, AuditEvent } from '../types.js';
import { analyzeSequences } from './analyze.js';
import { BUILTIN_SEQUENCE_RULES } from './rules.js';

if (!BUILTIN_SEQUENCE_RULES.ok) throw new Error(BUILTIN_SEQUENCE_RULES.problem.message);
const RULES = BUILTIN_SEQUENCE_RULES.value;

function at(seconds: number, kind: ActionKind, target: string): AuditEvent {
  return {
    id: `e${String(seconds).padStart(6, '0')}-${kind}`,
    sessionId: 'ses-a',
    rootSessionId: 'ses-a',
    projectId: 'proj',
    timeMs: 1_700_000_000_000 + seconds * 1000,
    kind,
    target,
    score: 10,
    mitre: [],
  };
}

function correlated(events: readonly AuditEvent[], name: string): string[][] {
  return analyzeSequences(events, RULES)
    .findings.filter((finding) => finding.name === name)
    .map((finding) => {
      expect(finding.type).toBe('correlation');
      return [...finding.eventIds];
    });
}

interface CorrelationCase {
  readonly name: string;
  readonly hit: readonly [AuditEvent, AuditEvent];
  readonly misses: Readonly<Record<string, readonly AuditEvent[]>>;
}

const cases: readonly CorrelationCase[] = [
  {
    name: 'exfiltration_read_webfetch',
    hit: [at(0, 'read', '/home/u/.ssh/config'), at(60, 'webfetch', 'https://paste.example.org/new')],
    misses: {
      'localhost fetch': [at(0, 'read', '/home/u/.ssh/config'), at(60, 'webfetch', 'http://localhost/x')],
      'wrong order': [at(0, 'webfetch', 'https://paste.example.org/new'), at(60, 'read', '/home/u/.ssh/config')],
    },
  },
  {
    name: 'remote_code_execution',
    hit: [at(0, 'webfetch', 'https://get.example.com/install.sh?v=2'), at(30, 'bash', 'bash install.sh')],
    misses: {
      'run before fetch': [at(0, 'bash', 'bash install.sh'), at(30, 'webfetch', 'https://get.example.com/install.sh')],
      'not a script url': [at(0, 'webfetch', 'https://docs.example.com/guide.html'), at(30, 'bash', 'bash build.sh')],
    },
  },
  {
    name: 'execution_preparation',
    hit: [at(0, 'write', '/repo/scripts/deploy.sh'), at(30, 'bash', 'chmod +x ./scripts/deploy.sh')],
    misses: {
      'a different path': [at(0, 'write', '/repo/scripts/deploy.sh'), at(30, 'bash', 'chmod +x other.sh')],
      'same name, other folder': [at(0, 'write', '/repo/scripts/deploy.sh'), at(30, 'bash', 'chmod +x tools/deploy.sh')],
      'outside the 2 min window': [at(0, 'write', '/repo/deploy.sh'), at(121, 'bash', 'chmod +x deploy.sh')],
    },
  },
  {
    name: 'git_reconnaissance',
    hit: [at(0, 'read', '/repo/.git/config'), at(30, 'webfetch', 'https://api.github.com/repos/acme/app')],
    misses: {
      'outside the 5 min window': [at(0, 'read', '/repo/.git/config'), at(301, 'webfetch', 'https://github.com/acme/app')],
      'not a code host': [at(0, 'read', '/repo/.git/config'), at(30, 'webfetch', 'https://github.com.evil.example/x')],
    },
  },
  {
    name: 'config_poisoning',
    hit: [at(0, 'write', '/home/u/.zshrc'), at(20, 'bash', 'ls')],
    misses: {
      'outside the 1 min window': [at(0, 'write', '/home/u/.zshrc'), at(61, 'bash', 'ls')],
      'a project file': [at(0, 'write', '/repo/docs/zshrc.md'), at(20, 'bash', 'ls')],
    },
  },
  {
    name: 'dependency_confusion',
    hit: [at(0, 'webfetch', 'https://registry.npmjs.org/left-pad'), at(60, 'edit', '/repo/package.json')],
    misses: {
      'manifest before fetch': [at(0, 'write', '/repo/package.json'), at(60, 'webfetch', 'https://registry.npmjs.org/left-pad')],
      'a look-alike domain': [at(0, 'webfetch', 'https://npmjs.org.evil.example/x'), at(60, 'write', '/repo/package.json')],
    },
  },
  {
    name: 'secret_logging',
    hit: [at(0, 'read', '/repo/.env'), at(30, 'write', '/repo/logs/debug.log')],
    misses: {
      'an example env file': [at(0, 'read', '/repo/.env.example'), at(30, 'write', '/repo/logs/debug.log')],
      'outside the 2 min window': [at(0, 'read', '/repo/.env'), at(121, 'write', '/repo/app.log')],
    },
  },
  {
    name: 'tunnel_establishment',
    hit: [at(0, 'bash', 'ssh -N -R 8080:localhost:80 user@relay.example.com'), at(120, 'webfetch', 'https://relay.example.com/')],
    misses: {
      'ssh with a login name only': [at(0, 'bash', 'ssh -l deploy host.example.com'), at(120, 'webfetch', 'https://relay.example.com/')],
      'a local fetch': [at(0, 'bash', 'ssh -L 5432:db:5432 bastion'), at(120, 'webfetch', 'http://127.0.0.1:5432/')],
    },
  },
  {
    name: 'cleanup_after_attack',
    hit: [at(0, 'bash', 'rm -rf /tmp/stage'), at(60, 'bash', 'history -c')],
    misses: {
      'wrong order': [at(0, 'bash', 'history -c'), at(60, 'bash', 'rm -rf /tmp/stage')],
      'outside the 3 min window': [at(0, 'bash', 'shred secrets.txt'), at(181, 'bash', 'unset HISTFILE')],
    },
  },
];

describe('correlations', () => {
  for (const correlation of cases) {
    it(`${correlation.name} links its two events`, () => {
      expect(correlated(correlation.hit, correlation.name)).toEqual([correlation.hit.map((event) => event.id)]);
    });
    for (const [why, events] of Object.entries(correlation.misses)) {
      it(`${correlation.name} does not fire: ${why}`, () => {
        expect(correlated(events, correlation.name)).toEqual([]);
      });
    }
  }

  it('links every chmod of a written script to its own write', () => {
    const events = [at(0, 'write', '/repo/a.sh'), at(1, 'write', '/repo/b.py'), at(5, 'bash', 'chmod 755 a.sh b.py')];
    expect(correlated(events, 'execution_preparation')).toEqual([
      [events[0]!.id, events[2]!.id],
      [events[1]!.id, events[2]!.id],
    ]);
  });
});
