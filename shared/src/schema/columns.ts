/**
 * Column specs for the engine's Arrow tables, shared by the engine (which builds record batches) and the
 * dashboard (which documents them in the SQL console). Types are tags, not Arrow classes, so `shared/`
 * stays free of packages.
 */
export type ColumnType = 'utf8' | 'int32' | 'int64' | 'float64' | 'bool' | 'timestamp_ms';

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
  /** One line shown in the dashboard's schema browser. */
  readonly doc: string;
}

export interface TableSpec {
  readonly name: string;
  readonly doc: string;
  /** Columns that identify a row; deltas upsert and delete by them. */
  readonly primaryKey: readonly string[];
  readonly columns: readonly ColumnSpec[];
}

/** A column spec whose name, type and nullability stay literal types, so `RowOf` can derive row types. */
export function column<N extends string, T extends ColumnType, Nu extends boolean = false>(
  name: N,
  type: T,
  doc: string,
  nullable?: Nu,
): { readonly name: N; readonly type: T; readonly nullable: Nu; readonly doc: string } {
  return { name, type, nullable: (nullable ?? false) as Nu, doc };
}
