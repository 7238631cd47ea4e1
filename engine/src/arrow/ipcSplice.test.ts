import { describe, expect, it } from 'vitest';
import { tableFromIPC } from 'apache-arrow';
import { PROJECTS_TABLE, SOURCES_TABLE } from '../../../shared/src/index.js';
import { spliceIpcStreams, type IpcPiece } from './ipcSplice.js';
import { buildIpc } from './tableIpc.js';

const source = (path: string, sessions: number) => ({ kind: 'sqlite', path, bytes: 1, sessions, messages: 0, parts: 0, modified_at: null, problem: null });
const project = (id: string) => ({ id, worktree: `/w/${id}`, name: id, vcs: 'git', created_at: 1, updated_at: 2, source: 'sqlite' });

/** Concatenates the pieces of each joined stream and reads every stream back. */
function readJoined(pieces: readonly IpcPiece[]): { streams: number; rows: Record<string, unknown>[] } {
  const rows: Record<string, unknown>[] = [];
  let gathered: Uint8Array[] = [];
  let streams = 0;
  for (const piece of pieces) {
    gathered.push(piece.ipc);
    if (!piece.end) continue;
    const bytes = new Uint8Array(gathered.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of gathered) (bytes.set(p, at), (at += p.length));
    for (const row of tableFromIPC(bytes)) rows.push(row!.toJSON());
    gathered = [];
    streams++;
  }
  expect(gathered).toEqual([]);
  return { streams, rows };
}

describe('spliceIpcStreams', () => {
  it('joins streams of one schema into one stream holding every row, in order, without copying', () => {
    const inputs = [buildIpc(SOURCES_TABLE, [source('/a', 1), source('/b', 2)]), buildIpc(SOURCES_TABLE, [source('/c', 3)]), buildIpc(SOURCES_TABLE, [source('/d', 4)])];
    const pieces = spliceIpcStreams(inputs);
    expect(pieces.map((p) => p.end)).toEqual([false, false, true]);
    expect(pieces.map((p) => p.source)).toEqual([0, 1, 2]);
    pieces.forEach((p) => expect(p.ipc.buffer).toBe(inputs[p.source]!.buffer));
    const joined = readJoined(pieces);
    expect(joined.streams).toBe(1);
    expect(joined.rows.map((r) => r.path)).toEqual(['/a', '/b', '/c', '/d']);
    expect(joined.rows.map((r) => Number(r.sessions))).toEqual([1, 2, 3, 4]);
  });

  it('keeps a single stream whole and an empty table readable', () => {
    const one = buildIpc(SOURCES_TABLE, [source('/a', 1)]);
    expect(spliceIpcStreams([one])).toEqual([{ ipc: one, end: true, source: 0 }]);
    const empty = [buildIpc(SOURCES_TABLE, []), buildIpc(SOURCES_TABLE, [])];
    const joined = readJoined(spliceIpcStreams(empty));
    expect(joined).toEqual({ streams: 1, rows: [] });
  });

  it('starts a new stream where the schema changes', () => {
    const pieces = spliceIpcStreams([buildIpc(SOURCES_TABLE, [source('/a', 1)]), buildIpc(PROJECTS_TABLE, [project('p')]), buildIpc(PROJECTS_TABLE, [project('q')])]);
    expect(pieces.map((p) => p.end)).toEqual([true, false, true]);
    const joined = readJoined(pieces);
    expect(joined.streams).toBe(2);
    expect(joined.rows.map((r) => r.path ?? r.id)).toEqual(['/a', 'p', 'q']);
  });

  it('passes a stream it cannot frame through whole, as its own stream', () => {
    const odd = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const pieces = spliceIpcStreams([buildIpc(SOURCES_TABLE, [source('/a', 1)]), odd, buildIpc(SOURCES_TABLE, [source('/b', 2)])]);
    expect(pieces.map((p) => [p.source, p.end])).toEqual([[0, true], [1, true], [2, true]]);
    expect(pieces[1]!.ipc).toBe(odd);
  });
});
