/** The per-install access token, kept in a 0600 file in the monitor's config dir. */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export const TOKEN_FILE = 'token';

export async function loadOrCreateToken(configDir: string): Promise<string> {
  const file = path.join(configDir, TOKEN_FILE);
  const existing = await fs.readFile(file, 'utf8').catch(() => '');
  if (/^[A-Za-z0-9_-]{32,}$/.test(existing.trim())) {
    // Tighten permissions a user or an older version may have loosened.
    await fs.chmod(file, 0o600).catch(() => undefined);
    return existing.trim();
  }
  const token = randomBytes(32).toString('base64url');
  await fs.mkdir(configDir, { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temp, token + '\n', { mode: 0o600 });
  await fs.rename(temp, file);
  return token;
}
