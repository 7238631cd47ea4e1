/**
 * The wire protocol end to end against a real engine (indexer + server in this process) and the ui's client
 * core with DuckDB-WASM's Node build: snapshot, deltas, resume by replay, resume by fresh snapshot, a client
 * cut off mid-stream, a snapshot from the engine's DuckDB file, and on-demand content. After each step DuckDB
 * must hold exactly the engine's rows.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLES, type TableName } from '../../shared/src/index.js';
import { generateCorpus } from '../corpus/generate.js';
import { startEngineInProcess, TEST_TOKEN, type EngineUnderTest } from './support/inProcessEngine.js';
import { connectNodeClient, type NodeClient } from './support/nodeClient.js';
import { openOpencodeWriter, type OpencodeWriter } from './support/opencodeWrites.js';

let dataDir: string;
let engine: EngineUnderTest;
let writer: OpencodeWriter;
let wsUrl: string;
let seq: () => number;
const clients: NodeClient[] = [];

const engineCounts = () => Object.fromEntries(TABLES.map(({ name }) => [name, engine.indexer.store.rowCount(name)]));
const engineIds = (table: TableName) =>
  engine.indexer.store
    .snapshot(table)
    .flatMap((bytes) => [...(tableFromIPC(bytes).getChild('id') ?? [])] as string[])
    .sort();
const clientIds = async (twin: NodeClient, table: TableName) => (await twin.db.query(`SELECT id FROM "${table}" ORDER BY id`)).map((r) => r['id'] as string);

async function connect(url = wsUrl): Promise<NodeClient> {
  const twin = await connectNodeClient(url);
  clients.push(twin);
  return twin;
}

/** Waits until the client has applied everything the engine has published, then compares the databases. */
async function expectInStep(twin: NodeClient, hubSeq: number) {
  await twin.client.waitForSeq(hubSeq);
  await twin.client.settled();
  expect(twin.client.state.appliedSeq).toBe(hubSeq);
  expect(await twin.counts()).toEqual(engineCounts());
  for (const table of ['parts', 'messages', 'tool_calls'] as const) expect(await clientIds(twin, table), table).toEqual(engineIds(table));
}

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ocm-proto-data-'));
  await generateCorpus({ out: dataDir, parts: 5000 });
  engine = await startEngineInProcess(dataDir);
  const served = await engine.serve();
  wsUrl = served.wsUrl;
  seq = () => served.hub.ring.seq;
  writer = openOpencodeWriter(path.join(dataDir, 'opencode.db'));
});

afterAll(async () => {
  for (const twin of clients) twin.close();
  writer?.close();
  await engine?.close();
  if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
});

describe('snapshot and deltas', () => {
  it('loads the snapshot into DuckDB with exactly the engine row counts', async () => {
    const twin = await connect();
    await twin.client.ready;
    expect(twin.client.state.hello?.mode).toBe('snapshot');
    expect(engine.indexer.store.rowCount('parts')).toBeGreaterThan(4000);
    await expectInStep(twin, seq());
    // Progress reporting: every table's announced rows arrived, with their bytes.
    for (const [name, progress] of Object.entries(twin.client.state.tables)) {
      expect(progress.loadedRows, name).toBe(progress.expectedRows);
      expect(progress.bytes, name).toBeGreaterThan(0);
    }
  });

  it('applies upserts and derived-table replaces as the engine ingests new and changed rows', async () => {
    const twin = await connect();
    await twin.client.ready;
    const before = seq();
    const added = writer.addTurn(10);
    const updated = writer.updateToolPart(3, 'rewritten output');
    await engine.indexer.refresh();
    expect(seq()).toBeGreaterThan(before);
    await expectInStep(twin, seq());
    const parts = await twin.db.query(`SELECT id FROM parts WHERE id IN (${[...added, updated].map((id) => `'${id}'`).join(', ')})`);
    expect(parts).toHaveLength(added.length + 1);
    expect(twin.client.state.gapsDetected).toBe(0);
    expect(twin.client.state.duplicatesDropped).toBe(0);
  });
});

describe('resume', () => {
  it('replays exactly what a client missed while it was away: no gap, no duplicate', async () => {
    const twin = await connect();
    await twin.client.ready;
    const awayAt = twin.client.state.appliedSeq;
    twin.socket.hold();
    twin.client.dropConnection();
    for (let i = 0; i < 3; i++) {
      writer.addTurn(20 + i);
      writer.updateToolPart(10 + i, `output ${i}`);
      await engine.indexer.refresh();
    }
    expect(seq()).toBeGreaterThan(awayAt);
    twin.socket.release();
    await expectInStep(twin, seq());
    expect(twin.socket.urls.at(-1)).toContain(`lastSeq=${awayAt}`);
    expect(twin.client.state.snapshots).toBe(1);
    expect(twin.client.state.replays).toBe(1);
    expect(twin.client.state.duplicatesDropped).toBe(0);
    expect(twin.client.state.gapsDetected).toBe(0);
  });

  it('recovers a client cut off in the middle of a stream of deltas', async () => {
    const twin = await connect();
    await twin.client.ready;
    const framesBefore = twin.client.state.framesReceived;
    // Cut the connection after two of the coming delta frames, and keep the client away for more writes.
    twin.socket.cutAfter(2);
    twin.socket.hold();
    for (let i = 0; i < 3; i++) {
      writer.addTurn(40 + i);
      await engine.indexer.refresh();
    }
    await twin.client.settled();
    expect(twin.client.state.framesReceived - framesBefore).toBe(2);
    writer.addTurn(50);
    writer.updateToolPart(30, 'while away');
    await engine.indexer.refresh();
    twin.socket.release();
    await expectInStep(twin, seq());
    expect(twin.client.state.replays).toBe(1);
    expect(twin.client.state.duplicatesDropped).toBe(0);
    const [dupes] = await twin.db.query('SELECT (count(*) - count(DISTINCT id))::INTEGER AS n FROM parts');
    expect(dupes?.['n']).toBe(0);
  });

  it('recovers a client cut off half way through its snapshot with a fresh snapshot', async () => {
    const twin = await connect();
    // hello and live-state: the socket goes while the snapshot body is being fetched and loaded.
    twin.socket.cutAfter(2);
    twin.socket.hold();
    // Let the cut happen and the client try again, then let it through.
    await twin.socket.whenHeld();
    expect(twin.client.state.hello?.mode).toBe('snapshot');
    twin.socket.release();
    await twin.client.ready;
    await expectInStep(twin, seq());
    expect(twin.client.state.snapshots).toBe(2);
    expect(twin.socket.urls.at(-1)).not.toContain('lastSeq');
  });

  it('sends a fresh snapshot to a client further behind than the ring holds', async () => {
    const small = await engine.serve({ maxEntries: 2 });
    const twin = await connect(small.wsUrl);
    await twin.client.ready;
    twin.socket.hold();
    twin.client.dropConnection();
    for (let i = 0; i < 3; i++) {
      writer.addTurn(60 + i);
      await engine.indexer.refresh();
    }
    twin.socket.release();
    await twin.client.waitForSeq(small.hub.ring.seq);
    await expectInStep(twin, small.hub.ring.seq);
    expect(twin.client.state.snapshots).toBe(2);
    expect(twin.client.state.replays).toBe(0);
  });
});

describe('snapshot file', () => {
  it('starts a client that attaches from the engine’s DuckDB file, then the changes since it, then live', async () => {
    const served = await engine.serve(undefined, { files: true });
    const attachUrl = `${served.wsUrl}?attach=1`;
    const written = await served.hub.snapshotFiles!.writeNow();
    expect(written.ok).toBe(true);
    const fileSeq = written.ok ? written.value.seq : -1;
    // Changes after the file: the client must get them between the file and snapshot-done.
    writer.addTurn(70);
    writer.updateToolPart(40, 'after the file');
    await engine.indexer.refresh();
    expect(served.hub.ring.seq).toBeGreaterThan(fileSeq);
    const twin = await connect(attachUrl);
    await twin.client.ready;
    const hello = twin.client.state.hello!;
    expect(hello.snapshotFile?.bytes).toBeGreaterThan(0);
    expect(hello.snapshotPath).toBeUndefined();
    expect(hello.seq).toBe(fileSeq);
    // Like the Arrow body: fetched once, by the connection it was issued to, and never without the token.
    const fileUrl = `http://127.0.0.1:${served.server.port}${hello.snapshotFile!.path}`;
    expect((await fetch(fileUrl)).status).toBe(401);
    expect((await fetch(fileUrl, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).status).toBe(404);
    await expectInStep(twin, served.hub.ring.seq);
    const [views] = await twin.db.query("SELECT count(*)::INTEGER AS n FROM duckdb_views() WHERE NOT internal AND view_name = 'parts'");
    expect(views?.['n']).toBe(1);
    // Live changes and a resume by replay land over the file too.
    writer.addTurn(71);
    await engine.indexer.refresh();
    await expectInStep(twin, served.hub.ring.seq);
    twin.socket.hold();
    twin.client.dropConnection();
    writer.addTurn(72);
    writer.updateToolPart(41, 'while away from the file');
    await engine.indexer.refresh();
    twin.socket.release();
    await expectInStep(twin, served.hub.ring.seq);
    expect(twin.client.state.replays).toBe(1);
    expect(twin.client.state.snapshots).toBe(1);
    // A client that does not attach is still sent the Arrow snapshot body.
    const plain = await connect(served.wsUrl);
    await plain.client.ready;
    expect(plain.client.state.hello?.snapshotPath).toBeDefined();
    await expectInStep(plain, served.hub.ring.seq);
  });

  it('sends the Arrow snapshot instead when the ring no longer reaches the file, and keeps one file on disk', async () => {
    const served = await engine.serve({ maxEntries: 2 }, { files: true });
    const first = await served.hub.snapshotFiles!.writeNow();
    expect(first.ok).toBe(true);
    for (let i = 0; i < 3; i++) {
      writer.addTurn(80 + i);
      await engine.indexer.refresh();
    }
    expect(served.hub.snapshotFiles!.offer()).toBeUndefined();
    const twin = await connect(`${served.wsUrl}?attach=1`);
    await twin.client.ready;
    expect(twin.client.state.hello?.snapshotFile).toBeUndefined();
    await expectInStep(twin, served.hub.ring.seq);
    const second = await served.hub.snapshotFiles!.writeNow();
    expect(second.ok && first.ok && second.value.file !== first.value.file).toBe(true);
    if (!second.ok || !first.ok) return;
    await expect.poll(() => fs.readdir(path.dirname(second.value.file))).toEqual([path.basename(second.value.file)]);
  });
});

describe('on-demand content', () => {
  it('answers part text, tool output and transcript requests, and a missing id as data', async () => {
    const twin = await connect();
    await twin.client.ready;
    const [text] = await twin.db.query("SELECT id FROM parts WHERE type = 'text' ORDER BY id LIMIT 1");
    const [tool] = await twin.db.query("SELECT id, session_id FROM parts WHERE type = 'tool' ORDER BY id LIMIT 1");
    const partText = await twin.client.request('part-text', String(text?.['id']));
    expect(partText.ok && partText.value.kind === 'part-text' && partText.value.text.length).toBeGreaterThan(0);
    const output = await twin.client.request('tool-output', String(tool?.['id']));
    expect(output.ok && output.value.kind === 'tool-output' && output.value.tool.length).toBeGreaterThan(0);
    const transcript = await twin.client.request('transcript', String(tool?.['session_id']));
    expect(transcript.ok && transcript.value.kind === 'transcript' && transcript.value.entries.length).toBeGreaterThan(0);
    // Secrets never leave the engine, whole or in part.
    const secret = `AKIA${'Q'.repeat(16)}`;
    const leaky = writer.setPartText(5, `deploy with key ${secret} then done`);
    const redacted = await twin.client.request('part-text', leaky);
    expect(redacted.ok && redacted.value.kind === 'part-text' && redacted.value.text).toMatch(/^deploy with key \[REDACTED:aws-access-key\] then done$/);
    expect(JSON.stringify(redacted)).not.toContain('QQQQ');
    const missing = await twin.client.request('part-text', 'prt_does_not_exist');
    expect(missing).toMatchObject({ ok: false, problem: { code: 'serve.not-found' } });
  });
});
