import {
  Field,
  Int32,
  Int64,
  Schema,
  Table,
  TimestampMillisecond,
  Utf8,
  tableToIPC,
  vectorFromArray,
  type DataType,
} from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../../shared/src/index.js';
import { openQueryEngine, type QueryEngine } from './duckdbNode.js';
import type { QueryResult } from './queryResult.js';

// Instantiating DuckDB-WASM takes seconds: one engine for the whole file.
let engine: QueryEngine;
beforeAll(async () => {
  engine = await openQueryEngine();
}, 60_000);
afterAll(() => engine?.close());

type Columns = Record<string, { type: DataType; values: unknown[] }>;

/** One IPC stream (ESM arrow, bytes only: the boundary the engine uses). */
function ipc(columns: Columns): Uint8Array {
  const vectors = Object.fromEntries(Object.entries(columns).map(([name, c]) => [name, vectorFromArray(c.values, c.type)]));
  return tableToIPC(new Table(vectors), 'stream');
}

/** The same columns cut into streams of `size` rows, as the pipeline ships them. */
function chunks(columns: Columns, size: number): Uint8Array[] {
  const length = Object.values(columns)[0]!.values.length;
  const out: Uint8Array[] = [];
  for (let start = 0; start < length; start += size) {
    const slice = Object.fromEntries(
      Object.entries(columns).map(([name, c]) => [name, { type: c.type, values: c.values.slice(start, start + size) }]),
    );
    out.push(ipc(slice));
  }
  return out;
}

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.problem.code}: ${result.problem.message}`);
  return result.value;
}

function rows(sql: string): unknown[][] {
  return value(engine.query(sql)).rows;
}

function run(sql: string): QueryResult {
  return value(engine.query(sql));
}

const T0 = Date.UTC(2024, 0, 2, 3, 4, 5, 678);

const SESSIONS: Columns = {
  id: { type: new Utf8(), values: ['s1', 's2', 's3', 's4', 's5'] },
  agent: { type: new Utf8(), values: ['build', 'plan', 'build', 'build', null] },
  tokens: { type: new Int64(), values: [100n, 250n, 2n ** 53n + 1n, -7n, null] },
  started_at: { type: new TimestampMillisecond(), values: [T0, T0 + 1, null, 0, -1] },
};

const MESSAGES: Columns = {
  session_id: { type: new Utf8(), values: ['s1', 's1', 's2', 's2', 's2', 's3', 'nobody'] },
  role: { type: new Utf8(), values: ['user', 'assistant', 'user', 'assistant', 'assistant', 'user', 'user'] },
  cost: { type: new Int32(), values: [1, 2, 3, 4, 5, 6, null] },
};

describe('openQueryEngine', () => {
  it('reports the DuckDB version', () => {
    expect(engine.version).toMatch(/^v\d+\.\d+\.\d+/);
  });
});

describe('loadTable', () => {
  beforeAll(() => {
    expect(value(engine.loadTable('sessions', chunks(SESSIONS, 2)))).toBe(5); // 3 streams: 2 + 2 + 1
    expect(value(engine.loadTable('messages', chunks(MESSAGES, 3)))).toBe(7);
  });

  it('creates the table from the first chunk and appends the rest', () => {
    expect(rows('SELECT id FROM sessions ORDER BY id')).toEqual([['s1'], ['s2'], ['s3'], ['s4'], ['s5']]);
    expect(run('DESCRIBE sessions').rows.map((r) => [r[0], r[1]])).toEqual([
      ['id', 'VARCHAR'],
      ['agent', 'VARCHAR'],
      ['tokens', 'BIGINT'],
      ['started_at', 'TIMESTAMP_MS'],
    ]);
  });

  it('answers GROUP BY queries with plain numbers', () => {
    const result = run('SELECT agent, count(*) AS n, sum(tokens) AS total FROM sessions GROUP BY agent ORDER BY agent NULLS LAST');
    expect(result.columns).toEqual([
      { name: 'agent', type: 'VARCHAR' },
      { name: 'n', type: 'BIGINT' },
      { name: 'total', type: 'DECIMAL(38,0)' }, // sum(BIGINT) is HUGEINT, which Arrow carries as DECIMAL(38,0)
    ]);
    expect(result.rows).toEqual([
      ['build', 3, String(100n + 2n ** 53n + 1n - 7n)],
      ['plan', 1, 250],
      [null, 1, null],
    ]);
  });

  it('answers JOIN queries across two loaded tables', () => {
    expect(
      rows(`SELECT s.id, count(m.role) AS messages, sum(m.cost)::INTEGER AS cost
            FROM sessions s LEFT JOIN messages m ON m.session_id = s.id
            GROUP BY s.id ORDER BY s.id`),
    ).toEqual([
      ['s1', 2, 3],
      ['s2', 3, 12],
      ['s3', 1, 6],
      ['s4', 0, null],
      ['s5', 0, null],
    ]);
  });

  it('turns BIGINT into numbers when safe and exact strings when not', () => {
    expect(rows('SELECT id, tokens FROM sessions ORDER BY id')).toEqual([
      ['s1', 100],
      ['s2', 250],
      ['s3', '9007199254740993'],
      ['s4', -7],
      ['s5', null],
    ]);
    expect(rows('SELECT 9007199254740991::BIGINT, (-9007199254740992)::BIGINT, 18446744073709551615::UBIGINT')).toEqual([
      [9007199254740991, '-9007199254740992', '18446744073709551615'],
    ]);
  });

  it('presents timestamp_ms columns as ISO-8601 strings in UTC, nulls as null', () => {
    const result = run('SELECT started_at FROM sessions ORDER BY id');
    expect(result.columns).toEqual([{ name: 'started_at', type: 'TIMESTAMP_MS' }]);
    expect(result.rows).toEqual([
      ['2024-01-02T03:04:05.678Z'],
      ['2024-01-02T03:04:05.679Z'],
      [null],
      ['1970-01-01T00:00:00.000Z'],
      ['1969-12-31T23:59:59.999Z'],
    ]);
    expect(rows("SELECT max(started_at) - min(started_at) FROM sessions")).toEqual([['P19724DT3H4M5.68S']]);
  });

  it('keeps nulls as null in every column type', () => {
    expect(rows("SELECT * FROM sessions WHERE id = 's5'")).toEqual([['s5', null, null, '1969-12-31T23:59:59.999Z']]);
    expect(rows('SELECT NULL, NULL::INTEGER, NULL::VARCHAR, NULL::TIMESTAMP, NULL::DATE, NULL::INTEGER[], NULL::DECIMAL(10,2)')).toEqual([
      [null, null, null, null, null, null, null],
    ]);
  });

  it('creates an empty table with the right columns from a stream that has a schema and no batches', () => {
    const schema = new Schema([new Field('id', new Utf8(), true), new Field('at', new TimestampMillisecond(), true), new Field('n', new Int64(), true)]);
    const noBatches = tableToIPC(new Table(schema), 'stream');
    expect(value(engine.loadTable('empty_a', [noBatches]))).toBe(0);
    const zeroRowBatch = ipc({ id: { type: new Utf8(), values: [] }, n: { type: new Int64(), values: [] } });
    expect(value(engine.loadTable('empty_b', [zeroRowBatch, zeroRowBatch]))).toBe(0);

    const result = run('SELECT * FROM empty_a');
    expect(result).toEqual({
      columns: [
        { name: 'id', type: 'VARCHAR' },
        { name: 'at', type: 'TIMESTAMP_MS' },
        { name: 'n', type: 'BIGINT' },
      ],
      rows: [],
    });
    expect(run('SELECT * FROM empty_b').columns.map((c) => c.name)).toEqual(['id', 'n']);
  });

  it('replaces a table loaded again, and leaves it untouched when the new load fails', () => {
    const first = ipc({ x: { type: new Int32(), values: [1, 2, 3] } });
    expect(value(engine.loadTable('swap', [first]))).toBe(3);
    expect(value(engine.loadTable('swap', [ipc({ x: { type: new Int32(), values: [9] } })]))).toBe(1);
    expect(rows('SELECT x FROM swap')).toEqual([[9]]);

    const clash = ipc({ x: { type: new Utf8(), values: ['not a number'] } });
    const failed = engine.loadTable('swap', [first, clash]);
    expect(failed.ok).toBe(false);
    if (failed.ok) return;
    expect(failed.problem.code).toBe('internal.bug');
    expect(failed.problem.source).toBe('swap');
    expect(failed.problem.message).toMatch(/^could not load table "swap": Conversion Error: .*Could not convert string 'not a number'/);
    expect(rows('SELECT x FROM swap')).toEqual([[9]]);
  });

  it('refuses table names that are not plain identifiers, and bytes that are not IPC streams', () => {
    const bytes = ipc({ x: { type: new Int32(), values: [1] } });
    const name = engine.loadTable('bad"name', [bytes]);
    expect(name.ok ? null : name.problem.code).toBe('config.invalid-argument');

    const none = engine.loadTable('t_none', []);
    expect(none.ok ? null : none.problem.message).toMatch(/no IPC chunks/);
    const garbage = engine.loadTable('t_garbage', [bytes, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])]);
    expect(garbage.ok ? null : garbage.problem.message).toBe('chunk 1 is not an Arrow IPC stream');
    expect(engine.query('SELECT * FROM t_garbage').ok).toBe(false);
  });
});

describe('query', () => {
  it('returns SQL errors as problems carrying DuckDB message verbatim', () => {
    const missing = engine.query('SELECT * FROM nope');
    expect(missing.ok).toBe(false);
    if (missing.ok) return;
    expect(missing.problem.code).toBe('query.sql-error');
    expect(missing.problem.message.startsWith('Catalog Error: Table with name nope does not exist!')).toBe(true);
    expect(missing.problem.detail).toEqual({ duckdbError: 'Catalog' });

    const syntax = engine.query('SELEC 1');
    expect(syntax.ok ? null : syntax.problem.message).toMatch(/^Parser Error: syntax error at or near "SELEC"/);
    const binder = engine.query('SELECT no_such_column FROM (SELECT 1 AS a)');
    expect(binder.ok ? null : binder.problem.detail).toEqual({ duckdbError: 'Binder' });
    // The connection stays usable after an error.
    expect(rows('SELECT 42')).toEqual([[42]]);
  });

  it('converts the other DuckDB types to JSON-safe values', () => {
    const result = run(`SELECT
        1.50::DECIMAL(10,2) AS dec, 0.1::FLOAT AS f, 'NaN'::DOUBLE AS nan, '-inf'::DOUBLE AS ninf,
        true AS b, 'a'::ENUM('a', 'b') AS e, '\\x00ab'::BLOB AS blob,
        DATE '2024-02-29' AS d, TIME '12:34:56.5' AS t,
        TIMESTAMP '2024-01-02 03:04:05.123456' AS ts_us, TIMESTAMP_NS '2024-01-02 03:04:05.123456789' AS ts_ns,
        TIMESTAMP_S '2024-01-02 03:04:05' AS ts_s, TIMESTAMPTZ '2024-01-02 03:04:05+00' AS tz,
        'infinity'::TIMESTAMP AS ts_inf, '-infinity'::DATE AS d_inf,
        INTERVAL 14 MONTH + INTERVAL 3 DAY + INTERVAL 90 MINUTE AS iv, INTERVAL 0 SECOND AS iv0,
        [1, NULL, 3] AS list, {'k': 2::BIGINT, 'at': TIMESTAMP_MS '2024-01-02 03:04:05.678', 'l': ['x']} AS st,
        [TIMESTAMP '2024-01-01 00:00:00'] AS ts_list`);
    const byName = Object.fromEntries(result.columns.map((c, k) => [c.name, [c.type, result.rows[0]![k]]]));
    expect(byName).toEqual({
      dec: ['DECIMAL(10,2)', 1.5],
      f: ['FLOAT', 0.1],
      nan: ['DOUBLE', 'NaN'],
      ninf: ['DOUBLE', '-Infinity'],
      b: ['BOOLEAN', true],
      e: ['VARCHAR', 'a'],
      blob: ['BLOB', '\\x00ab'],
      d: ['DATE', '2024-02-29'],
      t: ['TIME', '12:34:56.5'],
      ts_us: ['TIMESTAMP', '2024-01-02T03:04:05.123456Z'],
      ts_ns: ['TIMESTAMP_NS', '2024-01-02T03:04:05.123456789Z'],
      ts_s: ['TIMESTAMP_S', '2024-01-02T03:04:05.000Z'],
      tz: ['TIMESTAMP WITH TIME ZONE', '2024-01-02T03:04:05.000Z'],
      ts_inf: ['TIMESTAMP', 'infinity'],
      d_inf: ['DATE', '-infinity'],
      iv: ['INTERVAL', 'P1Y2M3DT1H30M'],
      iv0: ['INTERVAL', 'PT0S'],
      list: ['INTEGER[]', [1, null, 3]],
      st: ['STRUCT(k BIGINT, at TIMESTAMP_MS, l VARCHAR[])', { k: 2, at: '2024-01-02T03:04:05.678Z', l: ['x'] }],
      ts_list: ['TIMESTAMP[]', ['2024-01-01T00:00:00.000Z']],
    });
    expect(JSON.parse(JSON.stringify(result.rows))).toEqual(result.rows);
  });

  it('keeps exact decimals that a double cannot hold as strings', () => {
    expect(rows('SELECT 12345678901234567.89::DECIMAL(38,2), (-0.05)::DECIMAL(4,2), 170141183460469231731687303715884105727::HUGEINT')).toEqual([
      ['12345678901234567.89', -0.05, '170141183460469231731687303715884105727'],
    ]);
  });

  it('returns every row of results larger than one DuckDB vector', () => {
    const result = run('SELECT range AS i, range::BIGINT * 1000 AS ms FROM range(5000)');
    expect(result.rows.length).toBe(5000);
    expect(result.rows[4999]).toEqual([4999, 4999000]);
  });

  it('returns no columns for SQL that yields no result', () => {
    expect(run('-- just a comment')).toEqual({ columns: [], rows: [] });
  });
});

// Last, because it closes the shared engine (afterAll's close() is then a no-op).
describe('close', () => {
  it('makes later use a bug', () => {
    engine.close();
    expect(() => engine.query('SELECT 1')).toThrow(/used after close/);
  });
});
