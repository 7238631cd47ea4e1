/**
 * Piscina worker entry: one exported function per task, each reading its own range or file group, parsing,
 * and returning Arrow IPC bytes that are transferred (not copied) back to the main thread.
 */
import { Piscina } from 'piscina';
import { ipcToParquet } from '../arrow/index.js';
import { computeSecurityTables, type SecurityJob } from '../security/index.js';
import { readJsonBodies, readJsonMeta } from './jsonTasks.js';
import { readSqliteBodies, readSqliteMeta, refreshSqlite } from './sqliteTasks.js';
import { resolveChildRoots, type IngestTask, type TaskResult } from './tasks.js';

function runTask(task: IngestTask): TaskResult {
  switch (task.kind) {
    case 'sqlite-meta':
      return readSqliteMeta(task.dbPath);
    case 'sqlite-messages':
    case 'sqlite-parts':
      return readSqliteBodies(task.kind, task.dbPath, task, resolveChildRoots(task.childRoots));
    case 'sqlite-refresh':
      return refreshSqlite(task.dbPath, { ...task, childRoots: resolveChildRoots(task.childRoots) });
    case 'json-meta':
      return readJsonMeta(task.storageDir);
    case 'json-messages':
    case 'json-parts':
      return readJsonBodies(task.kind, task.storageDir, task.groups, task.dbPaths, resolveChildRoots(task.childRoots));
  }
}

/** The bytes in an exactly-sized buffer of their own, so it can be transferred. */
const ownBuffer = (bytes: Uint8Array): Uint8Array => (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice());

/** Gives each IPC stream its own exactly-sized buffer so it can be transferred. */
function transferable(result: TaskResult): { value: TaskResult; buffers: ArrayBuffer[] } {
  const buffers: ArrayBuffer[] = [];
  for (const [name, bytes] of Object.entries(result.ipc)) {
    if (!bytes) continue;
    const own = ownBuffer(bytes);
    (result.ipc as Record<string, Uint8Array>)[name] = own;
    buffers.push(own.buffer as ArrayBuffer);
  }
  return { value: result, buffers };
}

export default function ingest(task: IngestTask): unknown {
  const { value, buffers } = transferable(runTask(task));
  return Piscina.move({ [Piscina.transferableSymbol]: buffers, [Piscina.valueSymbol]: value } as never);
}

/** The security tables of a derive, off the main thread (see `IngestPool.securityTables`). */
export function securityTables(job: SecurityJob): unknown {
  const { events, findings } = computeSecurityTables(job);
  const value = { events: ownBuffer(events), findings: ownBuffer(findings) };
  return Piscina.move({ [Piscina.transferableSymbol]: [value.events.buffer, value.findings.buffer], [Piscina.valueSymbol]: value } as never);
}

/** One Arrow IPC stream as Parquet bytes, for the stream's DuckDB file (see `IngestPool.toParquet`). */
export async function parquetFromIpc(stream: Uint8Array): Promise<unknown> {
  const parquet = ownBuffer(await ipcToParquet(stream));
  return Piscina.move({ [Piscina.transferableSymbol]: [parquet.buffer], [Piscina.valueSymbol]: parquet } as never);
}
