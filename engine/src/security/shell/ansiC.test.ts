import { describe, expect, it } from 'vitest';
import { decodeAnsiC } from './ansiC.js';

describe('decodeAnsiC', () => {
  it.each([
    ['\\x63url\'', 'curl'],
    ['\\143url\'', 'curl'],
    ['\\0\\01\\101\'', '\0\x01A'],
    ['a\\nb\\tc\\\\d\\\'e\'', 'a\nb\tc\\d\'e'],
    ['\\u00e9\\U0001F600\'', 'é😀'],
    ['\\cA\\e\'', '\x01\x1b'],
    ['\\q\\x\'', '\\q\\x'],
  ])('decodes %s', (body, text) => {
    const quote = decodeAnsiC(body, 0, body.length);
    expect(quote).toEqual({ text, next: body.length, terminated: true });
  });

  it('reports an unterminated quote and decodes what is there', () => {
    expect(decodeAnsiC('\\x41bc', 0, 6)).toEqual({ text: 'Abc', next: 6, terminated: false });
  });

  it('stops at the first unescaped quote', () => {
    expect(decodeAnsiC("ab' rest", 0, 8)).toEqual({ text: 'ab', next: 3, terminated: true });
  });
});
