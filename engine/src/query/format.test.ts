import { describe, expect, it } from 'vitest';
import { formatCsv, formatJson, formatTable } from './format.js';
import type { QueryResult } from './queryResult.js';

const SESSIONS: QueryResult = {
  columns: [
    { name: 'agent', type: 'VARCHAR' },
    { name: 'n', type: 'BIGINT' },
    { name: 'cost', type: 'DECIMAL(10,2)' },
    { name: 'last_at', type: 'TIMESTAMP_MS' },
  ],
  rows: [
    ['build', 3, 1.25, '2024-01-02T03:04:05.678Z'],
    ['plan', 12, null, null],
    [null, 1234567, 0, '1970-01-01T00:00:00.000Z'],
  ],
};

describe('formatTable', () => {
  it('aligns columns, right-aligns numbers, shows NULL and counts rows', () => {
    expect(formatTable(SESSIONS)).toBe(
      [
        'agent |       n | cost | last_at',
        '------+---------+------+-------------------------',
        'build |       3 | 1.25 | 2024-01-02T03:04:05.678Z',
        'plan  |      12 | NULL | NULL',
        'NULL  | 1234567 |    0 | 1970-01-01T00:00:00.000Z',
        '(3 rows)',
        '',
      ].join('\n'),
    );
  });

  it('says "1 row" and "0 rows", and prints only the count when there are no columns', () => {
    const one: QueryResult = { columns: [{ name: 'x', type: 'INTEGER' }], rows: [[1]] };
    expect(formatTable(one)).toBe('x\n-\n1\n(1 row)\n');
    expect(formatTable({ columns: one.columns, rows: [] })).toBe('x\n-\n(0 rows)\n');
    expect(formatTable({ columns: [], rows: [] })).toBe('(0 rows)\n');
  });

  it('keeps every value on one line and writes nested values as JSON', () => {
    const result: QueryResult = {
      columns: [
        { name: 'text', type: 'VARCHAR' },
        { name: 'nested', type: 'STRUCT(a INTEGER[])' },
        { name: 'ok', type: 'BOOLEAN' },
      ],
      rows: [['line 1\nline 2\ttab\u0001', { a: [1, 2] }, false]],
    };
    expect(formatTable(result).split('\n')[2]).toBe('line 1\\nline 2\\ttab\\x01 | {"a":[1,2]} | false');
  });

  it('narrows the widest columns to fit maxWidth and marks cut cells with …', () => {
    const result: QueryResult = {
      columns: [
        { name: 'id', type: 'INTEGER' },
        { name: 'title', type: 'VARCHAR' },
        { name: 'path', type: 'VARCHAR' },
      ],
      rows: [[1, 'a fairly long session title', '/home/user/projects/opencode-monitor/engine/src']],
    };
    const lines = formatTable(result, { maxWidth: 40 }).split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'id | title            | path',
      '---+------------------+-----------------',
      ' 1 | a fairly long s… | /home/user/proj…',
    ]);
    expect(lines[1]!.length).toBe(40); // 2 + 16 + 16 columns and two 3-character separators
    expect(formatTable(result, { maxWidth: 200 })).toBe(formatTable(result));
  });

  it('aligns East Asian wide characters by display width', () => {
    const result: QueryResult = {
      columns: [
        { name: 'name', type: 'VARCHAR' },
        { name: 'n', type: 'INTEGER' },
      ],
      rows: [
        ['日本語', 1],
        ['abc', 22],
      ],
    };
    expect(formatTable(result).split('\n').slice(0, 4)).toEqual(['name   |  n', '-------+---', '日本語 |  1', 'abc    | 22']);
  });
});

describe('formatJson', () => {
  it('writes one object per row with 2-space indentation', () => {
    expect(formatJson({ columns: SESSIONS.columns, rows: SESSIONS.rows.slice(0, 2) })).toBe(
      `[
  {
    "agent": "build",
    "n": 3,
    "cost": 1.25,
    "last_at": "2024-01-02T03:04:05.678Z"
  },
  {
    "agent": "plan",
    "n": 12,
    "cost": null,
    "last_at": null
  }
]
`,
    );
  });

  it('writes [] for no rows, keeps nested values, and renames repeated column names', () => {
    expect(formatJson({ columns: SESSIONS.columns, rows: [] })).toBe('[]\n');
    const result: QueryResult = {
      columns: [
        { name: 'a', type: 'INTEGER' },
        { name: 'a', type: 'INTEGER' },
        { name: 'a_1', type: 'INTEGER' },
        { name: 'l', type: 'INTEGER[]' },
      ],
      rows: [[1, 2, 3, [4, null]]],
    };
    expect(JSON.parse(formatJson(result))).toEqual([{ a: 1, a_2: 2, a_1: 3, l: [4, null] }]);
  });

  it('does not throw on a stray bigint', () => {
    const result: QueryResult = { columns: [{ name: 'x', type: 'BIGINT' }], rows: [[5n], [2n ** 64n]] };
    expect(JSON.parse(formatJson(result))).toEqual([{ x: 5 }, { x: '18446744073709551616' }]);
  });
});

describe('formatCsv', () => {
  it('quotes commas, quotes and line breaks as RFC 4180 says, and nothing else', () => {
    const result: QueryResult = {
      columns: [
        { name: 'plain', type: 'VARCHAR' },
        { name: 'with, comma', type: 'VARCHAR' },
        { name: 'n', type: 'INTEGER' },
      ],
      rows: [
        ['a b', 'x,y', 1],
        ['say "hi"', 'line 1\nline 2', 2],
        ['cr\r', "it's", 3],
      ],
    };
    expect(formatCsv(result)).toBe(
      'plain,"with, comma",n\n' + 'a b,"x,y",1\n' + '"say ""hi""","line 1\nline 2",2\n' + `"cr\r",it's,3\n`,
    );
  });

  it('writes NULL as an empty field and the empty string as ""', () => {
    const result: QueryResult = {
      columns: [
        { name: 'a', type: 'VARCHAR' },
        { name: 'b', type: 'VARCHAR' },
        { name: 'c', type: 'INTEGER' },
      ],
      rows: [[null, '', null]],
    };
    expect(formatCsv(result)).toBe('a,b,c\n,"",\n');
  });

  it('writes nested values as quoted JSON, booleans and numbers as text, and can use CRLF', () => {
    const result: QueryResult = {
      columns: [
        { name: 's', type: 'STRUCT(a INTEGER, b VARCHAR)' },
        { name: 'ok', type: 'BOOLEAN' },
        { name: 'x', type: 'DOUBLE' },
      ],
      rows: [[{ a: 1, b: 'x' }, true, 0.5]],
    };
    expect(formatCsv(result, { lineEnding: '\r\n' })).toBe('s,ok,x\r\n"{""a"":1,""b"":""x""}",true,0.5\r\n');
  });

  it('writes only the header when there are no rows', () => {
    expect(formatCsv({ columns: SESSIONS.columns, rows: [] })).toBe('agent,n,cost,last_at\n');
  });
});
