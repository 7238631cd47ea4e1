/**
 * Reads every `*.json` case file in a folder (default: ./cases beside this file), in name order so case
 * sources and reports are stable. Unreadable or malformed files and cases come back as Problems.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Problem } from '../../shared/src/index.js';
import { parseCaseFile, type LocatedCase } from './corpusCase.js';

export const CASES_DIR = fileURLToPath(new URL('./cases/', import.meta.url));

export interface LoadedCorpus {
  readonly cases: readonly LocatedCase[];
  readonly problems: readonly Problem[];
  readonly files: readonly string[];
}

export function loadCorpus(dir: string = CASES_DIR): LoadedCorpus {
  let files: string[];
  try {
    files = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { cases: [], files: [], problems: [{ code: 'source.unreadable', source: dir, message }] };
  }
  const cases: LocatedCase[] = [];
  const problems: Problem[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(join(dir, file), 'utf8');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      problems.push({ code: 'source.unreadable', source: file, message });
      continue;
    }
    const parsed = parseCaseFile(text, file);
    cases.push(...parsed.cases);
    problems.push(...parsed.problems);
  }
  return { cases, problems, files };
}
