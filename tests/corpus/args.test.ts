import { describe, expect, it } from 'vitest';
import { parseArgs } from './args.js';

describe('corpus CLI arguments', () => {
  it('parses the documented flags', () => {
    const result = parseArgs(['--sessions', '250', '--out', '/tmp/x', '--seed=7', '--legacy-sessions', '4', '--corrupt', '3', '--events', '--json', '--force']);
    expect(result).toEqual({
      ok: true, help: false,
      options: {
        corpus: { out: '/tmp/x', sessions: 250, seed: 7, legacySessions: 4, corrupt: 3, events: true, force: true },
        json: true, quiet: false, legacyFlag: false,
      },
    });
  });

  it('accepts --parts with underscores and --legacy', () => {
    const result = parseArgs(['--parts', '1_000_000', '--out', 'd', '--legacy']);
    expect(result.ok && !result.help && result.options.corpus).toMatchObject({ parts: 1_000_000, legacySessions: 500 });
  });

  it('answers --help', () => {
    expect(parseArgs(['--help'])).toEqual({ ok: true, help: true });
  });

  it.each([
    [[], '--out DIR is required'],
    [['--out'], '--out needs a value'],
    [['--out', 'd', '--sessions', 'ten'], '--sessions expects a whole number, got "ten"'],
    [['--out', 'd', '--sessions', '0'], '--sessions must be between 1'],
    [['--out', 'd', '--seed', '-1'], '--seed expects a whole number'],
    [['--out', 'd', '--bogus'], 'unknown argument "--bogus"'],
    [['--out', 'd', '--sessions', '1', '--parts', '5'], 'either --sessions or --parts'],
    [['--out', 'd', '--end', 'yesterday'], '--end expects an ISO date'],
    [['--out', 'a', '--out', 'b'], '--out given twice'],
  ])('rejects %j', (argv, message) => {
    const result = parseArgs(argv);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(message);
  });
});
