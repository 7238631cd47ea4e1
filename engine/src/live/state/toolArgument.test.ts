import { describe, expect, it } from 'vitest';
import { chooseToolArgument } from './toolArgument.js';

describe('chooseToolArgument', () => {
  it.each([
    ['bash', { command: 'ls -la', description: 'List' }, 'ls -la'],
    ['read', { filePath: '/p/a.ts', offset: 3 }, '/p/a.ts'],
    ['write', { content: 'body', filePath: '/p/b.ts' }, '/p/b.ts'],
    ['edit', { filePath: '/p/c.ts', oldString: 'a', newString: 'b' }, '/p/c.ts'],
    ['webfetch', { format: 'text', url: 'https://example.test/x' }, 'https://example.test/x'],
    ['task', { description: 'Inspect host', prompt: 'long…', subagent_type: 'general' }, 'Inspect host (@general)'],
    ['glob', { pattern: '*.md' }, '*.md'],
    ['my_mcp_tool', { limit: 3, target: 'prod' }, 'prod'],
    ['bash', {}, ''],
    ['bash', 'not an object', ''],
  ])('%s %j → %s', (tool, input, want) => {
    expect(chooseToolArgument(tool, input)).toBe(want);
  });

  it('caps very long arguments', () => {
    expect(chooseToolArgument('bash', { command: 'x'.repeat(5000) })).toHaveLength(500);
  });
});
