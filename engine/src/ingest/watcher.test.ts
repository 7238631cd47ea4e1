import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../log.js';
import { watchStorage, type StorageWatcher } from './watcher.js';

let dataDir: string;
let watcher: StorageWatcher | undefined;

beforeEach(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ocm-watch-'));
  await fs.writeFile(path.join(dataDir, 'opencode.db'), 'db');
});

afterEach(async () => {
  await watcher?.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

describe('storage watcher', () => {
  it('notices a database write no file event announced, by comparing size and mtime', async () => {
    const calls: boolean[] = [];
    // File events off: what is left is the comparison that catches the events a file system loses.
    watcher = watchStorage({ dataDir, logger: createMemoryLogger(), onChange: (full) => calls.push(full), fileEvents: false, statPollMs: 20, fullScanMs: 0 });
    await watcher.ready;
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toEqual([]); // nothing changed, nothing asked
    await fs.writeFile(path.join(dataDir, 'opencode.db-wal'), 'frame 1'); // a WAL appears
    await until(() => calls.length === 1, 'the new WAL');
    await fs.appendFile(path.join(dataDir, 'opencode.db-wal'), ' frame 2');
    await until(() => calls.length === 2, 'the WAL growing');
    await fs.writeFile(path.join(dataDir, 'notes.txt'), 'not a database');
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toEqual([false, false]);
  });

  it('asks once for a write its file events announced', async () => {
    const calls: boolean[] = [];
    watcher = watchStorage({ dataDir, logger: createMemoryLogger(), onChange: (full) => calls.push(full), statPollMs: 20, fullScanMs: 0 });
    await watcher.ready;
    await fs.appendFile(path.join(dataDir, 'opencode.db'), ' page');
    await until(() => calls.length >= 1, 'the database write');
    await new Promise((r) => setTimeout(r, 150));
    // The event and the next look see the same file: at most one more ask (the look may race the event's own stat).
    expect(calls.length).toBeLessThanOrEqual(2);
  });

  it('does not ask for a refresh on events that leave the database files as they were', async () => {
    const calls: boolean[] = [];
    await fs.writeFile(path.join(dataDir, 'opencode.db-wal'), '');
    watcher = watchStorage({ dataDir, logger: createMemoryLogger(), onChange: (full) => calls.push(full), statPollMs: 20, fullScanMs: 0 });
    await watcher.ready;
    // What a reader running as root does to the files it opens: attribute events, same size, same mtime.
    for (let i = 0; i < 5; i++) {
      await fs.chmod(path.join(dataDir, 'opencode.db-wal'), 0o644);
      await fs.chmod(path.join(dataDir, 'opencode.db'), 0o644);
      await new Promise((r) => setTimeout(r, 30));
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toEqual([]);
    await fs.appendFile(path.join(dataDir, 'opencode.db-wal'), 'frame');
    await until(() => calls.length >= 1, 'the WAL write after them');
  });
});
