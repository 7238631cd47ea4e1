/**
 * Secret redaction for every piece of text the engine shows (previews, arguments, errors). The raw secret
 * never leaves the engine; the replacement names the kind of secret so a finding can still say what leaked.
 * Patterns are ordered: whole blocks first, then specific token formats, then generic key=value forms.
 */

export interface SecretPattern {
  readonly kind: string;
  readonly pattern: RegExp;
  /** Which capture group is the secret; 0 = the whole match. */
  readonly group?: number;
  /**
   * A cheap test every match passes, run first: the generic patterns backtrack at every word, and every preview
   * of a million parts goes through them (≈ 1.4 µs per preview without it, 0.15 µs with).
   */
  readonly mayMatch?: (text: string) => boolean;
}

const CREDENTIAL_WORD = /password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|auth/i;

export const SECRET_PATTERNS: readonly SecretPattern[] = [
  { kind: 'private-key', pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g },
  { kind: 'aws-access-key', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g },
  { kind: 'aws-secret-key', pattern: /(aws_secret_access_key|aws_secret_key|secretaccesskey)(["']?\s*[:=]\s*["']?)([A-Za-z0-9/+=]{40})/gi, group: 3 },
  { kind: 'gcp-api-key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { kind: 'gcp-service-account-key', pattern: /("private_key_id"\s*:\s*")([0-9a-f]{40})/g, group: 2 },
  { kind: 'azure-storage-key', pattern: /(AccountKey=)([A-Za-z0-9+/=]{60,})/g, group: 2 },
  { kind: 'github-token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})\b/g },
  { kind: 'gitlab-token', pattern: /\bglpat-[A-Za-z0-9_-]{20,}\b/g },
  { kind: 'npm-token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { kind: 'slack-token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g },
  { kind: 'openai-key', pattern: /\bsk-(?:proj-|ant-(?:api\d\d-)?)?[A-Za-z0-9_-]{20,}\b/g },
  { kind: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g },
  { kind: 'bearer-token', pattern: /(\bBearer\s+)([A-Za-z0-9._~+/=-]{16,})/gi, group: 2 },
  {
    kind: 'basic-auth-url',
    pattern: /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)(@)/gi,
    group: 2,
    mayMatch: (text) => text.includes('://') && text.includes('@'),
  },
  {
    kind: 'credential-assignment',
    pattern: /(\b[\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|auth)[\w.-]*["']?\s*[:=]\s*["']?)(?!Bearer\b|Basic\b|\[REDACTED)([^\s"'&,;]{4,})/gi,
    group: 2,
    mayMatch: (text) => (text.includes('=') || text.includes(':')) && CREDENTIAL_WORD.test(text),
  },
];

export interface Redaction {
  readonly text: string;
  /** Kinds of secret found, in order of first appearance. */
  readonly kinds: readonly string[];
}

/** Replaces each secret with `[REDACTED:<kind>]`. */
export function redactSecrets(text: string): Redaction {
  const kinds: string[] = [];
  let out = text;
  for (const { kind, pattern, group = 0, mayMatch } of SECRET_PATTERNS) {
    if (mayMatch && !mayMatch(out)) continue;
    pattern.lastIndex = 0;
    if (!pattern.test(out)) continue;
    pattern.lastIndex = 0;
    out = out.replace(pattern, (...args: unknown[]) => {
      const match = args[0] as string;
      if (match.includes('[REDACTED:')) return match;
      if (!kinds.includes(kind)) kinds.push(kind);
      if (group === 0) return `[REDACTED:${kind}]`;
      const groups = args.slice(1, -2) as (string | undefined)[];
      return groups.map((g, i) => (i + 1 === group ? `[REDACTED:${kind}]` : (g ?? ''))).join('');
    });
  }
  return { text: out, kinds };
}

/** `redactSecrets(text).text`, passing null through. */
export function redact(text: string | null): string | null {
  if (text === null) return null;
  return redactSecrets(text).text;
}
