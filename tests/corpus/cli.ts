/**
 * Entry point of `npm run corpus -- --sessions N --out DIR` (see USAGE in args.ts and README.md).
 * Progress goes to stderr; with --json the manifest goes to stdout, otherwise a short summary does.
 */
import { parseArgs, USAGE } from './args.js';
import { CorpusError, generateCorpus } from './generate.js';
import type { CorpusManifest } from './manifest.js';

function summary(manifest: CorpusManifest, out: string): string {
  const t = manifest.tables;
  const mb = (n: number): string => n.toLocaleString('en-US');
  return [
    `corpus: ${out}`,
    `  sessions ${mb(t['session'] ?? 0)} (root ${manifest.sessions.root}, child ${manifest.sessions.child}, fork ${manifest.sessions.fork}), messages ${mb(t['message'] ?? 0)}, parts ${mb(t['part'] ?? 0)}, todos ${mb(t['todo'] ?? 0)}, events ${mb(t['event'] ?? 0)}`,
    `  tool calls ${mb(manifest.raw.toolCalls)} (risky ${manifest.raw.risky}), cost $${manifest.raw.cost.toFixed(2)} raw / $${manifest.unique.cost.toFixed(2)} without fork copies`,
    manifest.legacy ? `  legacy JSON: ${manifest.legacy.files.session} sessions, ${manifest.legacy.files.part} parts, ${manifest.legacy.corrupt.length} corrupt files` : '',
    `  ${(manifest.elapsedMs / 1000).toFixed(1)} s`,
  ].filter(Boolean).join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(`corpus: ${parsed.message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const { corpus, json, quiet } = parsed.options;
  const manifest = await generateCorpus({
    ...corpus,
    onProgress: quiet ? undefined : (p) => {
      const rate = p.elapsedMs > 0 ? Math.round((p.parts / p.elapsedMs) * 1000) : 0;
      process.stderr.write(`corpus: ${p.phase} ${p.families}/${p.totalFamilies} families, ${p.parts.toLocaleString('en-US')} parts, ${(p.elapsedMs / 1000).toFixed(1)} s (${rate.toLocaleString('en-US')} parts/s)\n`);
    },
  });
  process.stdout.write(json ? JSON.stringify(manifest, null, 2) + '\n' : summary(manifest, corpus.out) + '\n');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof CorpusError) process.stderr.write(`corpus: ${error.message}\n`);
    else process.stderr.write(`corpus: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(error instanceof CorpusError ? 2 : 1);
  },
);
