/**
 * Turns a DuckDB result (an Arrow table) into plain, JSON-safe rows. Every value a formatter or `JSON.stringify`
 * sees is a string, a finite number, a boolean, null, or an array/object of those:
 * - BIGINT/UBIGINT/HUGEINT: a number when `Number.isSafeInteger`, else the exact decimal string;
 * - DECIMAL: a number when the unscaled value is a safe integer, else the exact decimal string;
 * - NaN and ±Infinity: the strings 'NaN', 'Infinity', '-Infinity' (JSON would turn them into null);
 * - TIMESTAMP (any unit, with or without time zone): ISO-8601 in UTC, `2024-01-02T03:04:05.678Z`, with extra
 *   fraction digits only when the value has sub-millisecond precision; DuckDB's ±infinity as 'infinity'/'-infinity';
 * - DATE: `YYYY-MM-DD`; TIME: `HH:MM:SS[.ffffff]`; INTERVAL: an ISO-8601 duration (`P1M2DT3H4M5.5S`);
 * - BLOB: DuckDB's text form (printable ASCII kept, other bytes as `\xHH`);
 * - LIST/STRUCT/MAP: arrays and objects of converted values.
 *
 * The input comes from the CommonJS copy of apache-arrow that duckdb-wasm loads, so this file only reads it
 * structurally (type ids and vectors) and never uses `instanceof` or passes tables back into arrow.
 */
import { DataType, type Data, type Field, type Table, type Vector } from 'apache-arrow';

/** One result column: its name as DuckDB returned it and a DuckDB-style type name derived from the Arrow type. */
export interface QueryColumn {
  readonly name: string;
  readonly type: string;
}

/** A whole query result as plain data; `rows[i][k]` is the value of column `k` in row `i`. */
export interface QueryResult {
  readonly columns: QueryColumn[];
  readonly rows: unknown[][];
}

// Arrow enum values, spelled out so that no runtime value of the (ESM) arrow module is needed beyond DataType.
const TIME_UNIT_PER_SECOND = [1n, 1_000n, 1_000_000n, 1_000_000_000n] as const; // SECOND, MILLI, MICRO, NANO
const TIME_UNIT_MILLISECOND = 1;
const DATE_UNIT_DAY = 0;
const INTERVAL_DAY_TIME = 0;
const INTERVAL_YEAR_MONTH = 1;
const FLOAT_PRECISION_DOUBLE = 2;

// DuckDB encodes ±infinity as the extreme values of the underlying integer.
const TIMESTAMP_INFINITY = 2n ** 63n - 1n;
const DATE_INFINITY = 2 ** 31 - 1;
const MAX_DATE_MS = 8.64e15; // the range of a JS Date

export function toQueryResult(table: Table): QueryResult {
  const fields = table.schema.fields;
  const columns = fields.map((field) => ({ name: field.name, type: sqlTypeName(field.type) }));
  const values = fields.map((_, k) => vectorValues(table.getChildAt(k)!));
  const rows: unknown[][] = [];
  for (let i = 0; i < table.numRows; i++) rows.push(values.map((column) => column[i] ?? null));
  return { columns, rows };
}

/** A DuckDB-style name for an Arrow type as DuckDB-WASM exports it (TIMESTAMP_MS, DECIMAL(18,3), INTEGER[] …). */
export function sqlTypeName(type: DataType): string {
  if (DataType.isNull(type)) return 'NULL';
  if (DataType.isInt(type)) {
    const name = { 8: 'TINYINT', 16: 'SMALLINT', 32: 'INTEGER', 64: 'BIGINT' }[type.bitWidth];
    return `${type.isSigned ? '' : 'U'}${name ?? 'INTEGER'}`;
  }
  if (DataType.isFloat(type)) return type.precision === FLOAT_PRECISION_DOUBLE ? 'DOUBLE' : 'FLOAT';
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return 'VARCHAR';
  if (DataType.isBinary(type) || DataType.isLargeBinary(type) || DataType.isFixedSizeBinary(type)) return 'BLOB';
  if (DataType.isBool(type)) return 'BOOLEAN';
  if (DataType.isDecimal(type)) return `DECIMAL(${type.precision},${type.scale})`;
  if (DataType.isDate(type)) return 'DATE';
  if (DataType.isTime(type)) return 'TIME';
  if (DataType.isTimestamp(type)) {
    if (type.timezone) return 'TIMESTAMP WITH TIME ZONE';
    return ['TIMESTAMP_S', 'TIMESTAMP_MS', 'TIMESTAMP', 'TIMESTAMP_NS'][type.unit] ?? 'TIMESTAMP';
  }
  if (DataType.isInterval(type) || DataType.isDuration(type)) return 'INTERVAL';
  if (DataType.isList(type) || DataType.isFixedSizeList(type)) return `${sqlTypeName(childType(type, 0))}[]`;
  if (DataType.isStruct(type)) return `STRUCT(${type.children.map((f) => `${f.name} ${sqlTypeName(f.type)}`).join(', ')})`;
  if (DataType.isMap(type)) {
    const entry = childType(type, 0);
    return `MAP(${sqlTypeName(childType(entry, 0))}, ${sqlTypeName(childType(entry, 1))})`;
  }
  if (DataType.isDictionary(type)) return sqlTypeName(type.dictionary);
  if (DataType.isUnion(type)) return 'UNION';
  return String(type).toUpperCase();
}

function childType(type: DataType, index: number): DataType {
  const field: Field | undefined = type.children[index];
  if (!field) throw new Error(`internal.bug: Arrow type ${String(type)} has no child ${index}`);
  return field.type;
}

/** Converted values of every row of one column (nulls included). */
function vectorValues(vector: Vector): unknown[] {
  const type = vector.type;
  // Timestamps, dates and intervals are read from the raw buffers: arrow-js throws on timestamps beyond 2^53
  // units (e.g. DuckDB's 'infinity') and reads MONTH_DAY_NANO intervals with the wrong stride.
  if (DataType.isTimestamp(type)) return rawValues(vector, (data, i) => formatTimestamp(BigInt(data.values[i] as bigint), type.unit));
  if (DataType.isDate(type)) {
    return rawValues(vector, (data, i) =>
      type.unit === DATE_UNIT_DAY ? formatDate(Number(data.values[i])) : formatDateMs(BigInt(data.values[i] as bigint)).split('T')[0],
    );
  }
  if (DataType.isInterval(type)) return rawValues(vector, (data, i) => formatInterval(data.values as Int32Array, i, type.unit));
  if (DataType.isStruct(type)) {
    const children = type.children.map((_, k) => vectorValues(vector.getChildAt(k)!));
    const out: unknown[] = [];
    for (let i = 0; i < vector.length; i++) {
      out.push(vector.isValid(i) ? Object.fromEntries(type.children.map((f, k) => [f.name, children[k]![i] ?? null])) : null);
    }
    return out;
  }
  if (DataType.isList(type) || DataType.isFixedSizeList(type)) {
    const out: unknown[] = [];
    for (let i = 0; i < vector.length; i++) {
      const items = vector.get(i) as Vector | null;
      out.push(items === null ? null : vectorValues(items));
    }
    return out;
  }
  // The vector's own iterator walks chunk by chunk; vector.get(i) would search for the chunk on every row.
  const convert = scalarConverter(type);
  const out: unknown[] = [];
  for (const value of vector as Iterable<unknown>) out.push(value === null || value === undefined ? null : convert(value));
  return out;
}

function rawValues(vector: Vector, read: (data: Data, index: number) => unknown): unknown[] {
  const out: unknown[] = [];
  for (const data of vector.data) {
    for (let i = 0; i < data.length; i++) out.push(data.getValid(i) ? read(data, i) : null);
  }
  return out;
}

type Converter = (value: unknown) => unknown;
const identity: Converter = (value) => value;

/** Chosen once per column, so the per-value work is only the conversion itself. */
function scalarConverter(type: DataType): Converter {
  if (DataType.isInt(type)) {
    // Up to 32 bits arrow-js hands out numbers; 64-bit integers come as bigint.
    return type.bitWidth < 64 ? identity : (value) => integerValue(value as bigint);
  }
  if (DataType.isFloat(type)) {
    const double = type.precision === FLOAT_PRECISION_DOUBLE;
    return (value) => floatValue(value as number, double);
  }
  if (DataType.isDecimal(type)) {
    const scale = type.scale;
    return (value) => decimalValue(BigInt(String(value)), scale);
  }
  if (DataType.isTime(type)) {
    const unit = type.unit;
    return (value) => formatTime(BigInt(value as bigint | number), unit);
  }
  if (DataType.isBinary(type) || DataType.isLargeBinary(type) || DataType.isFixedSizeBinary(type)) {
    return (value) => formatBlob(value as Uint8Array);
  }
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type) || DataType.isBool(type)) return identity;
  if (DataType.isDictionary(type)) return scalarConverter(type.dictionary);
  return plainValue;
}

/** Last resort for types without a typed reader (MAP, UNION): walk the value as arrow-js hands it out. */
function plainValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return integerValue(value);
  if (typeof value === 'number') return floatValue(value, true);
  if (typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return formatBlob(value);
  if (Array.isArray(value)) return value.map(plainValue);
  const json = (value as { toJSON?: () => unknown }).toJSON?.() ?? value;
  if (Array.isArray(json)) return json.map(plainValue);
  if (json === null || typeof json !== 'object') return plainValue(json);
  return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, plainValue(v)]));
}

function integerValue(value: bigint | number): number | string {
  if (typeof value === 'number') return value;
  const n = Number(value);
  return Number.isSafeInteger(n) && BigInt(n) === value ? n : value.toString();
}

function floatValue(value: number, double: boolean): number | string {
  if (!Number.isFinite(value)) return String(value); // 'NaN', 'Infinity', '-Infinity'
  if (double) return value;
  // A FLOAT widened to double prints as 0.10000000149011612; use the shortest decimal that rounds back to it.
  for (let digits = 1; digits <= 9; digits++) {
    const shorter = Number(value.toPrecision(digits));
    if (Math.fround(shorter) === value) return shorter;
  }
  return value;
}

function decimalValue(unscaled: bigint, scale: number): number | string {
  if (scale <= 0) return integerValue(unscaled * 10n ** BigInt(-scale));
  const digits = (unscaled < 0n ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = `${unscaled < 0n ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  // Number(text) is the double nearest to the exact decimal; only trust it when the digits fit in 2^53.
  return Number.isSafeInteger(Number(unscaled)) ? Number(text) : text;
}

/** Floor division for bigint (`/` truncates toward zero). */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
}

function formatTimestamp(raw: bigint, unit: number): string {
  if (unit === TIME_UNIT_MILLISECOND) {
    const ms = Number(raw); // fast path for the engine's own timestamp_ms columns
    if (Math.abs(ms) <= MAX_DATE_MS) return new Date(ms).toISOString();
  }
  if (raw === TIMESTAMP_INFINITY) return 'infinity';
  if (raw === -TIMESTAMP_INFINITY) return '-infinity';
  const perSecond = TIME_UNIT_PER_SECOND[unit as 0 | 1 | 2 | 3] ?? 1_000n;
  if (perSecond <= 1_000n) return formatDateMs(raw * (1_000n / perSecond));
  const perMs = perSecond / 1_000n;
  const ms = floorDiv(raw, perMs);
  const iso = formatDateMs(ms);
  const sub = raw - ms * perMs;
  if (sub === 0n || !iso.endsWith('Z')) return iso;
  const subDigits = sub.toString().padStart(perMs.toString().length - 1, '0').replace(/0+$/, '');
  return `${iso.slice(0, -1)}${subDigits}Z`;
}

function formatDateMs(ms: bigint): string {
  const n = Number(ms);
  return Math.abs(n) <= MAX_DATE_MS ? new Date(n).toISOString() : ms.toString();
}

function formatDate(days: number): string {
  if (days === DATE_INFINITY) return 'infinity';
  if (days === -DATE_INFINITY) return '-infinity';
  const ms = days * 86_400_000;
  if (Math.abs(ms) > MAX_DATE_MS) return String(days);
  return new Date(ms).toISOString().split('T')[0]!;
}

function formatTime(raw: bigint, unit: number): string {
  const perSecond = TIME_UNIT_PER_SECOND[unit as 0 | 1 | 2 | 3] ?? 1_000_000n;
  const seconds = raw / perSecond;
  const pad = (n: bigint): string => n.toString().padStart(2, '0');
  const text = `${pad(seconds / 3600n)}:${pad((seconds / 60n) % 60n)}:${pad(seconds % 60n)}`;
  return `${text}${fraction(raw % perSecond, perSecond)}`;
}

/** `.5`, `.000007` … for a remainder in units of 1/perSecond; '' when zero. */
function fraction(remainder: bigint, perSecond: bigint): string {
  if (remainder === 0n) return '';
  const width = perSecond.toString().length - 1;
  return `.${remainder.toString().padStart(width, '0').replace(/0+$/, '')}`;
}

function formatInterval(values: Int32Array, row: number, unit: number): string {
  let months = 0;
  let days = 0;
  let nanos = 0n;
  if (unit === INTERVAL_YEAR_MONTH) {
    months = values[row] ?? 0;
  } else if (unit === INTERVAL_DAY_TIME) {
    days = values[2 * row] ?? 0;
    nanos = BigInt(values[2 * row + 1] ?? 0) * 1_000_000n;
  } else {
    // MONTH_DAY_NANO: int32 months, int32 days, int64 nanoseconds (little-endian halves).
    months = values[4 * row] ?? 0;
    days = values[4 * row + 1] ?? 0;
    nanos = BigInt.asIntN(64, (BigInt(values[4 * row + 3] ?? 0) << 32n) | BigInt((values[4 * row + 2] ?? 0) >>> 0));
  }
  return isoDuration(months, days, nanos);
}

function isoDuration(months: number, days: number, nanos: bigint): string {
  const years = Math.trunc(months / 12);
  let date = '';
  if (years) date += `${years}Y`;
  if (months % 12) date += `${months % 12}M`;
  if (days) date += `${days}D`;
  let time = '';
  const sign = nanos < 0n ? '-' : '';
  const abs = nanos < 0n ? -nanos : nanos;
  const hours = abs / 3_600_000_000_000n;
  const minutes = (abs / 60_000_000_000n) % 60n;
  const seconds = (abs / 1_000_000_000n) % 60n;
  const rest = abs % 1_000_000_000n;
  if (hours) time += `${sign}${hours}H`;
  if (minutes) time += `${sign}${minutes}M`;
  if (seconds || rest) time += `${sign}${seconds}${fraction(rest, 1_000_000_000n)}S`;
  if (!date && !time) return 'PT0S';
  return `P${date}${time ? `T${time}` : ''}`;
}

function formatBlob(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) {
    text += byte >= 0x20 && byte < 0x7f && byte !== 0x5c ? String.fromCharCode(byte) : `\\x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return text;
}
