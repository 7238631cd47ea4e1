/**
 * Deliberately broken legacy JSON files for bad-input tests. They are extra files with fresh ids placed beside
 * real ones (no valid record is damaged, so the valid counts stay exact), cycling through the failure kinds a
 * reader meets in the wild: a file cut off mid-write, an empty file, invalid syntax, valid JSON of the wrong
 * shape, and binary garbage.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createIdFactory } from './ids.js';
import { createRng, deriveSeed, hex, int, pick } from './random.js';

export type CorruptKind = 'truncated' | 'empty' | 'invalid-syntax' | 'wrong-shape' | 'binary';

export interface CorruptFile {
  /** Path relative to the corpus directory. */
  path: string;
  kind: CorruptKind;
  /** What kind of record the file pretends to be. */
  record: 'session' | 'message' | 'part' | 'todo';
}

const KINDS: readonly CorruptKind[] = ['truncated', 'empty', 'invalid-syntax', 'wrong-shape', 'binary'];

export interface CorruptContext {
  sessions: ReadonlyArray<{ id: string; projectID: string }>;
  messages: ReadonlyArray<{ id: string; sessionID: string }>;
}

export function writeCorruptFiles(outDir: string, seed: number, count: number, time: number, context: CorruptContext): CorruptFile[] {
  const rng = createRng(deriveSeed(seed, 0xbad));
  const ids = createIdFactory(rng);
  const storage = join(outDir, 'storage');
  const files: CorruptFile[] = [];
  for (let i = 0; i < count; i++) {
    const kind = KINDS[i % KINDS.length] ?? 'empty';
    const at = time + i;
    const session = context.sessions.length ? pick(rng, context.sessions) : { id: ids.descending('ses', at), projectID: hex(rng, 40) };
    const message = context.messages.length ? pick(rng, context.messages) : { id: ids.ascending('msg', at), sessionID: session.id };
    const record = pick(rng, ['session', 'message', 'part', 'part', 'todo'] as const);
    let path: string;
    let valid: unknown;
    if (record === 'session') {
      const id = ids.descending('ses', at);
      path = join('session', session.projectID, id);
      valid = { id, version: '1.1.65', projectID: session.projectID, title: 'Broken session', time: { created: at, updated: at } };
    } else if (record === 'message') {
      const id = ids.ascending('msg', at);
      path = join('message', message.sessionID, id);
      valid = { id, sessionID: message.sessionID, role: 'user', time: { created: at }, agent: 'build', model: { providerID: 'anthropic', modelID: 'claude-sonnet-4-5' } };
    } else if (record === 'part') {
      const id = ids.ascending('prt', at);
      path = join('part', message.id, id);
      valid = { id, sessionID: message.sessionID, messageID: message.id, type: 'text', text: 'partial output that never finished writing' };
    } else {
      const id = ids.descending('ses', at);
      path = join('todo', id);
      valid = [{ content: 'broken', status: 'pending', priority: 'high', id: '1' }];
    }
    const text = JSON.stringify(valid, null, 2);
    let bytes: string | Buffer;
    switch (kind) {
      case 'truncated': bytes = text.slice(0, int(rng, 1, text.length - 2)); break;
      case 'empty': bytes = ''; break;
      case 'invalid-syntax': bytes = text.replace(/\n}$/, ',\n}').replace(/"(\w+)":/, '$1:'); break;
      case 'wrong-shape': bytes = pick(rng, ['[]', 'null', '"text"', '42', '{"unexpected":true}']); break;
      default: bytes = Buffer.from(Array.from({ length: int(rng, 16, 512) }, () => rng.u32() & 0xff));
    }
    const full = join(storage, path + '.json');
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, bytes);
    files.push({ path: join('storage', path + '.json'), kind, record });
  }
  return files;
}
