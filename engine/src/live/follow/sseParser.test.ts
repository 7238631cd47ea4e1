import { describe, expect, it } from 'vitest';
import { createSseParser } from './sseParser.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('createSseParser', () => {
  it('yields the data of each block, across arbitrary chunk boundaries', () => {
    const got: string[] = [];
    const p = createSseParser((d) => got.push(d));
    const stream = 'data: {"a":1}\n\ndata: {"b":"é"}\n\n: comment\n\ndata:{"c":3}\r\n\r\n';
    const all = bytes(stream);
    for (let i = 0; i < all.length; i += 3) p.push(all.subarray(i, i + 3));
    expect(got).toEqual(['{"a":1}', '{"b":"é"}', '{"c":3}']);
  });

  it('joins multi-line data and ignores other fields', () => {
    const got: string[] = [];
    createSseParser((d) => got.push(d)).push(bytes('event: x\nid: 1\ndata: line1\ndata: line2\n\n'));
    expect(got).toEqual(['line1\nline2']);
  });

  it('holds an incomplete block until its blank line arrives', () => {
    const got: string[] = [];
    const p = createSseParser((d) => got.push(d));
    p.push(bytes('data: {"x":1}\n'));
    expect(got).toEqual([]);
    p.push(bytes('\n'));
    expect(got).toEqual(['{"x":1}']);
  });
});
