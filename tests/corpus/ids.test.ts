import { describe, expect, it } from 'vitest';
import { createIdFactory, ID_PATTERN, idTimestampModulo } from './ids.js';
import { createRng } from './random.js';

describe('ids', () => {
  it('reproduces the time prefix of real OpenCode 1.18.33 ids', () => {
    // Taken from a database written by the real binary: message created at 1795612673546 (first id in that ms),
    // session created at 1795612673433.
    const ids = createIdFactory(createRng(1));
    expect(ids.ascending('msg', 1795612673546).slice(0, 16)).toBe('msg_212db060a001');
    expect(ids.descending('ses', 1795612673433).slice(0, 16)).toBe('ses_ded24fa66ffe');
    expect(idTimestampModulo('msg_212db060a001dSZSkUIuJ2dfsZ', false)).toBe(1795612673546 % 2 ** 36);
    expect(idTimestampModulo('ses_ded24fa66ffetJpZG373jyUTZH', true)).toBe(1795612673433 % 2 ** 36);
  });

  it('has the <prefix>_<12 hex><14 base62> shape', () => {
    const ids = createIdFactory(createRng(2));
    for (const id of [ids.ascending('prt', 1), ids.descending('ses', 2), ids.ascending('evt', 1_800_000_000_000)]) {
      expect(id).toMatch(ID_PATTERN);
      expect(id.length).toBe(30);
    }
  });

  it('sorts ascending ids by creation, descending ids newest first, within one millisecond too', () => {
    const ids = createIdFactory(createRng(3));
    const times = [1_790_000_000_000, 1_790_000_000_000, 1_790_000_000_000, 1_790_000_000_001, 1_790_000_050_000];
    const asc = times.map((t) => ids.ascending('msg', t));
    expect([...asc].sort()).toEqual(asc);
    const desc = times.map((t) => ids.descending('ses', t));
    expect([...desc].sort()).toEqual([...desc].reverse());
  });
});
