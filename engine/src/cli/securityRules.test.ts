import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../log.js';
import { loadUserSecurityRules, userRulesFile } from './securityRules.js';

const root = mkdtempSync(join(tmpdir(), 'ocm-user-rules-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const chain = {
  id: 'vault_exfil',
  type: 'kill_chain',
  description: 'The Vault token is read, then a web address is fetched.',
  technique: 'T1552',
  windowMs: 300000,
  bonus: 40,
  steps: [
    { kind: 'read', target: '\\.vault-token$' },
    { kind: 'webfetch', target: '^https?://' },
  ],
};

function configWith(name: string, content: string): string {
  const config = join(root, name);
  mkdirSync(config, { recursive: true });
  writeFileSync(userRulesFile(config), content);
  return config;
}

describe('the user security rule file', () => {
  it('gives its action sections to the workers and its sequences to the analyser, without a warning', () => {
    const logger = createMemoryLogger();
    const rules = loadUserSecurityRules(configWith('ok', JSON.stringify({ commands: [{ id: 'git-reset-hard', disabled: true }], sequences: [chain] })), logger);
    expect(logger.lines).toEqual([]);
    expect(rules.sequences.rules.map((r) => r.id)).toContain('vault_exfil');
    expect(rules.sequences.rules.map((r) => r.id)).toContain('credential_harvest');
  });

  it('keeps the built-ins and says why in one line per problem when the file is broken', () => {
    const logger = createMemoryLogger();
    const rules = loadUserSecurityRules(configWith('broken', '{ "sequences": [ { "id": "x" } ] }'), logger);
    expect(rules.sequences.rules.map((r) => r.id)).toContain('credential_harvest');
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatch(/security\.invalid-rule: .*security-rules\.json \(sequences\)/);
  });

  it('is optional: no file, no warning, built-in rules', () => {
    const logger = createMemoryLogger();
    const rules = loadUserSecurityRules(join(root, 'none'), logger);
    expect(logger.lines).toEqual([]);
    expect(rules.sequences.rules.length).toBeGreaterThan(15);
  });
});
