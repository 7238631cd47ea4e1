/**
 * Turns one change of the engine's tables into the seq'd wire frame the ring keeps: an upsert (Arrow rows plus
 * the keys they superseded and do not carry again), or a whole-table replace for derived tables.
 */
import { tableFromIPC } from 'apache-arrow';
import {
  encodeArrowFrame,
  encodeMessage,
  tableSpec,
  type KeyTuple,
  type KeyValue,
  type LiveDiff,
  type LiveNotification,
  type TableName,
} from '../../../../shared/src/index.js';
import { buildIpc, concatIpc } from '../../arrow/index.js';
import type { StoreChange } from '../../store/index.js';

export interface EncodedFrame {
  readonly frame: string | Uint8Array;
  readonly bytes: number;
}

const textFrame = (text: string): EncodedFrame => ({ frame: text, bytes: Buffer.byteLength(text) });
const binaryFrame = (frame: Uint8Array): EncodedFrame => ({ frame, bytes: frame.byteLength });

const keyText = (key: KeyTuple) => JSON.stringify(key);

function plainKey(value: unknown): KeyValue {
  if (typeof value === 'bigint') return Number(value);
  return value === undefined ? null : (value as KeyValue);
}

/** Primary keys of the rows in an IPC stream, as the client will see them. */
export function keysOf(table: TableName, ipc: Uint8Array): KeyTuple[] {
  const arrow = tableFromIPC(ipc);
  const columns = tableSpec(table).primaryKey.map((name) => arrow.getChild(name));
  const keys: KeyTuple[] = [];
  for (let i = 0; i < arrow.numRows; i++) keys.push(columns.map((column) => plainKey(column?.get(i))));
  return keys;
}

/** The frame for one store change, with its seq. */
export function storeChangeFrame(change: StoreChange, seq: number): EncodedFrame {
  const { table } = change;
  // A recomputed table that only lost rows: the keys alone.
  if (change.kind === 'delete') return tableDeleteFrame(table, change.keys, seq);
  if (change.kind === 'replace') {
    const ipc = change.chunks.length === 0 ? buildIpc(tableSpec(table), []) : concatIpc(change.chunks);
    const rows = change.chunks.length === 0 ? 0 : tableFromIPC(ipc).numRows;
    return binaryFrame(encodeArrowFrame({ type: 'table-replace', seq, table, rows }, ipc));
  }
  let deletes: KeyTuple[] = [];
  if (change.kind === 'upsert' && change.superseded.length > 0) {
    // The client deletes by the new rows' keys anyway; only keys that vanish need listing.
    const fresh = new Set(keysOf(table, change.ipc).map(keyText));
    deletes = change.superseded.filter((key) => !fresh.has(keyText(key)));
  }
  return binaryFrame(encodeArrowFrame({ type: 'table-upsert', seq, table, rows: change.rows, deletes }, change.ipc));
}

export function tableDeleteFrame(table: TableName, keys: readonly KeyTuple[], seq: number): EncodedFrame {
  return textFrame(encodeMessage({ type: 'table-delete', seq, table, keys }));
}

export function liveDiffFrame(diffs: readonly LiveDiff[], seq: number): EncodedFrame {
  return textFrame(encodeMessage({ type: 'live-diff', seq, diffs }));
}

export function notificationFrame(notification: LiveNotification, seq: number): EncodedFrame {
  return textFrame(encodeMessage({ type: 'notification', seq, notification }));
}
