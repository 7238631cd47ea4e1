import { describe, expect, it } from 'vitest';
import { auditActionOf } from './action.js';

describe('auditActionOf', () => {
  it('audits a shell command by its command line', () => {
    expect(auditActionOf('bash', { command: 'ls -la', description: 'list' }, [], true)).toEqual({ kind: 'bash', targets: ['ls -la'], tool: 'bash' });
  });

  it('audits file tools by every path they touched, edits and patches as edit', () => {
    expect(auditActionOf('read', { filePath: '/p/a.ts' }, ['/p/a.ts'], true)).toMatchObject({ kind: 'read', targets: ['/p/a.ts'] });
    expect(auditActionOf('write', { filePath: '/p/a.ts', content: 'x' }, ['/p/a.ts'], true)).toMatchObject({ kind: 'write' });
    expect(auditActionOf('apply_patch', { patchText: '…' }, ['a.ts', 'b.ts'], true)).toMatchObject({ kind: 'edit', targets: ['a.ts', 'b.ts'] });
  });

  it('audits web fetches by URL and searches by the directory they look in', () => {
    expect(auditActionOf('webfetch', { url: 'https://x.test/a' }, [], true)).toMatchObject({ kind: 'webfetch', targets: ['https://x.test/a'] });
    expect(auditActionOf('grep', { pattern: 'key', path: '/home/u/.ssh' }, [], true)).toMatchObject({ kind: 'read', targets: ['/home/u/.ssh'] });
    expect(auditActionOf('grep', { pattern: 'key' }, [], true)).toBeUndefined();
  });

  it('audits MCP tools by name and arguments, and leaves bookkeeping tools alone', () => {
    expect(auditActionOf('shell_exec', { command: 'id' }, [], false)).toEqual({ kind: 'mcp', targets: ['shell_exec {"command":"id"}'], tool: 'shell_exec' });
    expect(auditActionOf('todowrite', { todos: [] }, [], true)).toBeUndefined();
    expect(auditActionOf('task', { prompt: 'x' }, [], true)).toBeUndefined();
  });

  it('skips calls with no usable argument instead of scoring an empty string', () => {
    expect(auditActionOf('bash', {}, [], true)).toBeUndefined();
    expect(auditActionOf('read', {}, [], true)).toBeUndefined();
  });
});
