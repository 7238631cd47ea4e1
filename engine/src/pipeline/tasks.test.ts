import { describe, expect, it } from 'vitest';
import { childRootsRef, resolveChildRoots } from './tasks.js';

describe('child roots carried by tasks', () => {
  it('are parsed once per key in a thread, and a new tree gets a new key', () => {
    const first = childRootsRef({ ses_child: 'ses_root' });
    // What a worker receives: a structured clone of the task, so never the same object twice.
    const resolved = resolveChildRoots(structuredClone(first));
    expect(resolved).toEqual({ ses_child: 'ses_root' });
    expect(resolveChildRoots(structuredClone(first))).toBe(resolved);
    const second = childRootsRef({ ses_child: 'ses_other' });
    expect(second.key).not.toBe(first.key);
    expect(resolveChildRoots(structuredClone(second))).toEqual({ ses_child: 'ses_other' });
  });
});
