/**
 * Text for the corpus. Building every string word by word would dominate generation time, so a few large
 * pools (prose, code, logs, web pages) are generated once from a fixed seed, and each part takes a slice of
 * the right size at a seeded offset. Slices start on a line boundary so outputs look like real files and logs.
 */
import { createRng, int, pick } from './random.js';
import type { Rng } from './random.js';

const WORDS = (
  'the a to of and in is it for on that this with as be we are by from can not at or use should function file test '
  + 'type value error config module import export return update check build run add fix remove handle request response '
  + 'server client cache query index table schema session token user data path option default result state event '
  + 'parse format output input stream buffer worker timeout retry limit batch merge commit branch change diff patch '
  + 'migration database column field record payload header status code line call stack trace log warning null '
  + 'undefined async await promise callback handler route endpoint service api model agent tool step message part'
).split(' ');

const IDENTS = [
  'user', 'session', 'config', 'cache', 'store', 'router', 'handler', 'parser', 'client', 'logger', 'queue', 'token',
  'request', 'result', 'options', 'index', 'batch', 'record', 'schema', 'metrics', 'payload', 'context', 'stream',
];

function sentence(rng: Rng): string {
  const length = int(rng, 6, 18);
  const words: string[] = [];
  for (let i = 0; i < length; i++) words.push(pick(rng, WORDS));
  const first = words[0] ?? 'the';
  words[0] = first.charAt(0).toUpperCase() + first.slice(1);
  return words.join(' ') + pick(rng, ['.', '.', '.', ':', '?']);
}

function proseLine(rng: Rng): string {
  const roll = rng.next();
  if (roll < 0.12) return `- \`${pick(rng, IDENTS)}.${pick(rng, IDENTS)}()\` ${sentence(rng).toLowerCase()}`;
  if (roll < 0.2) return `## ${sentence(rng).replace(/[.:?]$/, '')}`;
  return [sentence(rng), sentence(rng), rng.next() < 0.5 ? sentence(rng) : ''].join(' ').trim();
}

function codeLine(rng: Rng, indent: number): string {
  const pad = '  '.repeat(indent);
  const a = pick(rng, IDENTS);
  const b = pick(rng, IDENTS);
  switch (int(rng, 0, 9)) {
    case 0: return `${pad}export function ${a}${b[0]?.toUpperCase() ?? 'X'}${b.slice(1)}(${a}: ${pick(rng, ['string', 'number', 'Options'])}) {`;
    case 1: return `${pad}const ${a} = await ${b}.${pick(rng, ['get', 'load', 'fetch', 'parse'])}(${pick(rng, IDENTS)});`;
    case 2: return `${pad}if (!${a}) throw new Error('${sentence(rng).toLowerCase()}');`;
    case 3: return `${pad}return { ${a}, ${b}: ${int(rng, 0, 999)} };`;
    case 4: return `${pad}// ${sentence(rng)}`;
    case 5: return `${pad}for (const ${a} of ${b}s) ${pick(rng, IDENTS)}.push(${a});`;
    case 6: return `${pad}import { ${a} } from './${b}.js';`;
    case 7: return `${pad}${a}.${b} = ${pick(rng, ['true', 'false', 'null', '0', `'${b}'`])};`;
    case 8: return `${pad}}`;
    default: return `${pad}log.${pick(rng, ['info', 'debug', 'warn'])}(\`${a} \${${b}.id}\`);`;
  }
}

function logLine(rng: Rng): string {
  const file = `src/${pick(rng, IDENTS)}/${pick(rng, IDENTS)}.ts`;
  switch (int(rng, 0, 11)) {
    case 0: return ` ✓ ${file} (${int(rng, 1, 40)} tests) ${int(rng, 3, 900)}ms`;
    case 1: return ` × ${file} > ${sentence(rng).toLowerCase()}`;
    case 2: return `${file}:${int(rng, 1, 400)}:${int(rng, 1, 80)} - error TS${int(rng, 2300, 2800)}: ${sentence(rng)}`;
    case 3: return `-rw-r--r--  1 dev dev ${String(int(rng, 80, 90000)).padStart(6)} Oct ${int(rng, 1, 31)} ${int(rng, 10, 23)}:${int(rng, 10, 59)} ${pick(rng, IDENTS)}.${pick(rng, ['ts', 'json', 'md', 'py'])}`;
    case 4: return `\tmodified:   ${file}`;
    case 5: return `npm warn deprecated ${pick(rng, IDENTS)}@${int(rng, 1, 9)}.${int(rng, 0, 20)}.${int(rng, 0, 9)}: ${sentence(rng)}`;
    case 6: return `    at ${pick(rng, IDENTS)}.${pick(rng, IDENTS)} (${file}:${int(rng, 1, 400)}:${int(rng, 1, 60)})`;
    case 7: return `${file}:${int(rng, 1, 400)}:${codeLine(rng, 0)}`;
    case 8: return `[${int(rng, 10, 23)}:${int(rng, 10, 59)}:${int(rng, 10, 59)}] ${pick(rng, ['INFO', 'WARN', 'DEBUG'])} ${sentence(rng)}`;
    case 9: return `${int(rng, 1, 9)} files changed, ${int(rng, 1, 300)} insertions(+), ${int(rng, 0, 200)} deletions(-)`;
    case 10: return ` Test Files  ${int(rng, 1, 60)} passed (${int(rng, 1, 60)})`;
    default: return `${pick(rng, IDENTS)}: ${sentence(rng).toLowerCase()}`;
  }
}

function build(seed: number, size: number, line: (rng: Rng, i: number) => string): string {
  const rng = createRng(seed);
  const lines: string[] = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const next = line(rng, i);
    lines.push(next);
    length += next.length + 1;
  }
  return lines.join('\n') + '\n';
}

export interface TextPools {
  prose: string;
  code: string;
  log: string;
  web: string;
}

let pools: TextPools | undefined;

/** The shared pools, built on first use (about 1.5 MB, a few hundred milliseconds). */
export function textPools(): TextPools {
  pools ??= {
    prose: build(101, 256 * 1024, proseLine),
    code: build(102, 512 * 1024, (rng, i) => codeLine(rng, i % 7 === 0 ? 0 : int(rng, 1, 3))),
    log: build(103, 512 * 1024, logLine),
    web: build(104, 384 * 1024, (rng, i) => (i % 9 === 0 ? `# ${sentence(rng)}` : proseLine(rng))),
  };
  return pools;
}

/** About `length` characters of `pool`, starting on a line boundary at a seeded offset. */
export function slice(pool: string, rng: Rng, length: number): string {
  if (length <= 0) return '';
  if (length >= pool.length) {
    let out = '';
    while (out.length < length) out += pool;
    return out.slice(0, length);
  }
  let start = Math.floor(rng.next() * (pool.length - length));
  const newline = pool.indexOf('\n', start);
  if (newline >= 0 && newline + 1 + length <= pool.length) start = newline + 1;
  return pool.slice(start, start + length);
}

/** A short single-line phrase (titles, descriptions). */
export function phrase(rng: Rng, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(pick(rng, WORDS));
  const first = out[0] ?? 'update';
  out[0] = first.charAt(0).toUpperCase() + first.slice(1);
  return out.join(' ');
}

/** Prefixes each line with its number, like OpenCode's read tool. */
export function numberLines(text: string, firstLine: number): string {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line, i) => `${firstLine + i}: ${line}`).join('\n');
}
