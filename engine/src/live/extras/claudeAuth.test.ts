import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret, authFileIn, parseClaudeAccessToken, readClaudeAccessToken, redact } from './claudeAuth.js';

const TOKEN = 'sk-ant-oat01-test-token-value';
const AUTH = '/home/alice/.local/share/opencode/auth.json';

describe('parseClaudeAccessToken', () => {
  it('takes the access token of the anthropic OAuth entry and nothing else', () => {
    const text = JSON.stringify({
      anthropic: { type: 'oauth', refresh: 'sk-ant-ort01-refresh', access: TOKEN, expires: 1_800_000_000_000 },
      openai: { type: 'api', key: 'sk-openai' },
    });
    const result = parseClaudeAccessToken(text, AUTH);
    expect(result.ok && result.value.reveal()).toBe(TOKEN);
  });

  it.each([
    ['no anthropic entry', { openai: { type: 'api', key: 'k' } }, /no "anthropic" entry/],
    ['an API key instead of a login', { anthropic: { type: 'api', key: 'sk-ant-api03-secret' } }, /api credential, not a Claude subscription login/],
    ['an empty access token', { anthropic: { type: 'oauth', access: '  ' } }, /no OAuth access token/],
    ['a non-object document', ['anthropic'], /no "anthropic" entry/],
  ])('reports %s as no token, naming the file', (_label, doc, message) => {
    const result = parseClaudeAccessToken(JSON.stringify(doc), AUTH);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem).toMatchObject({ code: 'source.unreadable', source: AUTH });
    expect(result.problem.message).toMatch(message);
    expect(result.problem.message).not.toMatch(/sk-ant/);
  });

  it('never quotes a corrupt file (it holds credentials)', () => {
    const result = parseClaudeAccessToken(`{"anthropic": {"access": "${TOKEN}"`, AUTH);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem.code).toBe('parse.invalid-json');
    expect(JSON.stringify(result.problem)).not.toContain(TOKEN);
  });
});

describe('readClaudeAccessToken', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ocm-auth-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a real file', async () => {
    const file = authFileIn(dir);
    await writeFile(file, JSON.stringify({ anthropic: { type: 'oauth', access: TOKEN } }));
    const result = await readClaudeAccessToken(file);
    expect(result.ok && result.value.reveal()).toBe(TOKEN);
  });

  it('says plainly when the file does not exist', async () => {
    const result = await readClaudeAccessToken(path.join(dir, 'missing', 'auth.json'));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.message).toMatch(/does not exist/);
  });
});

describe('Secret and redact', () => {
  it('prints as [redacted] however it is turned into text', () => {
    const secret = new Secret(TOKEN);
    expect(`${secret}`).toBe('[redacted]');
    expect(JSON.stringify({ secret })).toBe('{"secret":"[redacted]"}');
    expect(inspect({ secret })).not.toContain(TOKEN);
  });

  it('removes every occurrence of the secret from a message', () => {
    expect(redact(`bad ${TOKEN} and ${TOKEN}`, new Secret(TOKEN))).toBe('bad [redacted] and [redacted]');
    expect(redact('nothing here', undefined)).toBe('nothing here');
  });

  it('authFileIn places auth.json in the OpenCode data directory', () => {
    expect(authFileIn('/x/opencode')).toBe(path.join('/x/opencode', 'auth.json'));
  });
});
