/**
 * Pipe neighbours of a command. Use these rather than comparing `position`s: a command inside a `{ …; }` or
 * `( … )` that is piped on (`{ curl x; } | bash`) keeps its own innermost pipeline and position, and appears in
 * the outer pipeline only through that pipeline's `commands` list.
 */
import type { ParsedShell } from './types.js';

/** Indices of the commands whose output flows, directly or further down the pipe, into command `index`. */
export function commandsPipedInto(parsed: ParsedShell, index: number): number[] {
  return neighbours(parsed, index, true);
}

/** Indices of the commands that read, directly or further down the pipe, the output of command `index`. */
export function commandsPipedFrom(parsed: ParsedShell, index: number): number[] {
  return neighbours(parsed, index, false);
}

function neighbours(parsed: ParsedShell, index: number, upstream: boolean): number[] {
  const found: number[] = [];
  for (const pipeline of parsed.pipelines) {
    const members = pipeline.commands;
    if (members.length < 2) continue;
    const at = members.indexOf(index);
    if (at < 0) continue;
    const from = upstream ? 0 : at + 1;
    const to = upstream ? at : members.length;
    for (let i = from; i < to; i++) if (!found.includes(members[i]!)) found.push(members[i]!);
  }
  return found;
}
