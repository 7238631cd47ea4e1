/**
 * "Same path" for correlations such as execution_preparation: the written file and the path a later command
 * names are compared loosely, because the command usually names it relative to the session's directory
 * (`chmod +x ./deploy.sh` after writing `/repo/deploy.sh`).
 */

const SEPARATORS = /[\s;&|()<>`'"]+/;
const HOME_PREFIX = /^(?:~|\$HOME|\$\{HOME\})\//;

/** Path-like words of a command: not options, containing a dot or a slash, normalised. */
export function pathTokens(command: string): string[] {
  const tokens: string[] = [];
  for (const word of command.split(SEPARATORS)) {
    if (word === '' || word.startsWith('-') || (!word.includes('.') && !word.includes('/'))) continue;
    const path = normalisePath(word);
    if (path !== '') tokens.push(path);
  }
  return tokens;
}

export function normalisePath(path: string): string {
  let normal = path.replace(/\\/g, '/').replace(HOME_PREFIX, '');
  while (normal.startsWith('./')) normal = normal.slice(2);
  while (normal.length > 1 && normal.endsWith('/')) normal = normal.slice(0, -1);
  return normal;
}

/** The last path segment, the key under which written files are remembered. */
export function baseName(path: string): string {
  const normal = normalisePath(path);
  return normal.slice(normal.lastIndexOf('/') + 1);
}

/** True when one path is the other or ends with it at a segment boundary. */
export function isSamePath(a: string, b: string): boolean {
  const left = normalisePath(a);
  const right = normalisePath(b);
  return left === right || left.endsWith(`/${right}`) || right.endsWith(`/${left}`);
}
