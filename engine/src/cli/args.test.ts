import { describe, expect, it } from 'vitest';
import { parseArgs, parsePort } from './args.js';

const spec = { port: { type: 'string', description: '' }, json: { type: 'boolean', description: '' } } as const;

describe('parseArgs', () => {
  it('reads positionals, values and switches in both spellings', () => {
    const parsed = parseArgs(['start', '--port', '80', '--json', 'x', '--port=81'], spec);
    expect(parsed).toEqual({ ok: true, value: { positionals: ['start', 'x'], options: { port: '81', json: true } } });
  });

  it('names the unknown option instead of ignoring it', () => {
    const parsed = parseArgs(['--prot', '80'], spec);
    expect(parsed.ok || parsed.problem).toMatchObject({ code: 'config.invalid-argument', message: 'unknown option --prot' });
  });

  it('rejects a value on a switch and a missing value', () => {
    expect(parseArgs(['--json=yes'], spec).ok).toBe(false);
    expect(parseArgs(['--port'], spec).ok).toBe(false);
  });
});

describe('parsePort', () => {
  it('accepts 0..65535 and explains anything else', () => {
    expect(parsePort('19876', 1)).toEqual({ ok: true, value: 19876 });
    expect(parsePort(undefined, 7)).toEqual({ ok: true, value: 7 });
    const bad = parsePort('http', 1);
    expect(bad.ok || bad.problem.message).toBe('--port must be an integer from 0 to 65535, got "http"');
  });
});
