import { describe, expect, it } from 'vitest';
import { ok } from '../../../../shared/src/index.js';
import { collect, idValue, intParam, pageParams, sinceParam, textParam } from './params.js';
import { matchPath, matchRoute, type Route } from './router.js';
import { containsPattern, literal, raw, sql } from './sql.js';

const route = (method: 'GET' | 'POST', path: string): Route => ({ method, path, handle: async () => ok({ data: path }) });
const routes = [route('GET', '/api/sessions'), route('GET', '/api/sessions/search'), route('GET', '/api/sessions/:id'), route('POST', '/api/permissions/:id/reply')];

describe('matchRoute', () => {
  it('extracts decoded parameters and ignores a trailing slash', () => {
    expect(matchPath('/api/session/:id/tools', '/api/session/ses_a%3Ab/tools/')).toEqual({ id: 'ses_a:b' });
    expect(matchPath('/api/session/:id/tools', '/api/session//tools')).toBeUndefined();
    expect(matchPath('/api/session/:id', '/api/session/%E0%A4%A')).toBeUndefined();
  });

  it('prefers a literal route over a parameterised one', () => {
    const m = matchRoute(routes, 'GET', '/api/sessions/search');
    expect(m.kind === 'route' && m.route.path).toBe('/api/sessions/search');
  });

  it('tells 405 (wrong method) from 404 (no route), and treats HEAD as GET', () => {
    expect(matchRoute(routes, 'POST', '/api/sessions')).toEqual({ kind: 'method-not-allowed', allowed: ['GET'] });
    expect(matchRoute(routes, 'GET', '/api/permissions/per_1/reply')).toEqual({ kind: 'method-not-allowed', allowed: ['POST'] });
    expect(matchRoute(routes, 'GET', '/api/nothing').kind).toBe('none');
    expect(matchRoute(routes, 'HEAD', '/api/sessions').kind).toBe('route');
    expect(matchRoute(routes, 'DELETE', '/api/sessions/ses_1').kind).toBe('method-not-allowed');
  });
});

describe('parameters', () => {
  const q = (s: string) => new URLSearchParams(s);

  it('pages with defaults, and refuses out-of-range or non-integer values naming the parameter', () => {
    expect(pageParams(q(''), 100, 1000)).toEqual(ok({ limit: 100, offset: 0 }));
    expect(pageParams(q('limit=5&offset=10'), 100, 1000)).toEqual(ok({ limit: 5, offset: 10 }));
    for (const bad of ['limit=1001', 'limit=0', 'limit=abc', 'offset=-1', 'limit=1e3', 'limit=5;DROP']) {
      const r = pageParams(q(bad), 100, 1000);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.problem.code).toBe('serve.bad-request');
    }
    const r = intParam(q('limit=2000'), 'limit', 1, 1, 1000);
    expect(!r.ok && r.problem.message).toContain('?limit=');
  });

  it('turns ?days= into a cutoff relative to now', () => {
    expect(sinceParam(q('days=2'), 10 * 86_400_000)).toEqual(ok({ days: 2, sinceMs: 8 * 86_400_000 }));
    expect(sinceParam(q(''), 40 * 86_400_000)).toEqual(ok({ days: 30, sinceMs: 10 * 86_400_000 }));
    expect(sinceParam(q('days=0'), 0).ok).toBe(false);
  });

  it('accepts ids from the id alphabet only', () => {
    expect(idValue('ses_01ABC:3', 'id').ok).toBe(true);
    for (const bad of ["ses_1' OR '1'='1", 'a b', '', 'x'.repeat(201)]) expect(idValue(bad, 'id').ok, bad).toBe(false);
  });

  it('bounds search text and refuses control characters', () => {
    expect(textParam(q('q=%20'), 'q', true).ok).toBe(false);
    expect(textParam(q('q=a%00b'), 'q', true).ok).toBe(false);
    expect(textParam(q('q=hello'), 'q', true)).toEqual(ok('hello'));
  });

  it('collects several parameters or returns the first problem', () => {
    expect(collect({ a: ok(1), b: ok('x') })).toEqual(ok({ a: 1, b: 'x' }));
    const r = collect({ a: ok(1), b: pageParams(q('limit=x'), 1, 2) });
    expect(!r.ok && r.problem.message).toContain('?limit=');
  });
});

describe('sql binding', () => {
  it('quotes strings so input can never leave the literal', () => {
    expect(sql`SELECT * FROM t WHERE id = ${"x' OR 1=1 --"} LIMIT ${5}`).toBe("SELECT * FROM t WHERE id = 'x'' OR 1=1 --' LIMIT 5");
    expect(literal(null)).toBe('NULL');
    expect(literal(true)).toBe('TRUE');
    expect(sql`SELECT ${raw('a, b')} FROM t`).toBe('SELECT a, b FROM t');
    expect(() => literal(Number.NaN)).toThrow(/internal.bug/);
  });

  it('escapes LIKE wildcards in a contains pattern', () => {
    expect(containsPattern('50%_off\\')).toBe('%50\\%\\_off\\\\%');
  });
});
