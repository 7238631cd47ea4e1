import { describe, expect, it } from 'vitest';
import { redact, redactSecrets, SECRET_PATTERNS } from './redact.js';

describe('redactSecrets', () => {
  const cases: [string, string, string][] = [
    ['private-key', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA\n-----END OPENSSH PRIVATE KEY-----', '[REDACTED:private-key]'],
    ['aws-access-key', 'key AKIAIOSFODNN7EXAMPLE here', 'key [REDACTED:aws-access-key] here'],
    ['aws-secret-key', 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'aws_secret_access_key = [REDACTED:aws-secret-key]'],
    ['gcp-api-key', 'AIzaSyA1234567890abcdefghijklmnopqrstuv', '[REDACTED:gcp-api-key]'],
    ['github-token', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', '[REDACTED:github-token]'],
    ['gitlab-token', 'glpat-abcdefghij1234567890', '[REDACTED:gitlab-token]'],
    ['npm-token', 'npm_abcdefghijklmnopqrstuvwxyz0123456789', '[REDACTED:npm-token]'],
    ['slack-token', 'xoxb-123456789012-abcdefghij', '[REDACTED:slack-token]'],
    ['jwt', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', '[REDACTED:jwt]'],
    ['bearer-token', 'curl -H "Authorization: Bearer abcdef0123456789abcdef"', 'curl -H "Authorization: Bearer [REDACTED:bearer-token]"'],
    ['basic-auth-url', 'git clone https://ann:hunter2secret@example.com/r.git', 'git clone https://ann:[REDACTED:basic-auth-url]@example.com/r.git'],
    ['credential-assignment', 'DB_PASSWORD=correct-horse-battery', 'DB_PASSWORD=[REDACTED:credential-assignment]'],
    ['credential-assignment', 'https://x.test/cb?token=abc123def456&x=1', 'https://x.test/cb?token=[REDACTED:credential-assignment]&x=1'],
  ];
  for (const [kind, input, expected] of cases) {
    it(`redacts ${kind}`, () => {
      const result = redactSecrets(input);
      expect(result.text).toBe(expected);
      expect(result.kinds).toContain(kind);
    });
  }

  it('leaves ordinary text alone', () => {
    for (const text of ['npm run build', 'rm -rf node_modules', 'git push origin feature-x', 'read README.md', 'password policy docs']) {
      expect(redactSecrets(text)).toEqual({ text, kinds: [] });
    }
  });

  it('lets through every text a pattern with a quick pre-test matches (mixed case, either separator)', () => {
    const samples = [
      ...cases.map(([, input]) => input),
      'Api-Key: 0123456789abcdef', 'export SECRET_TOKEN="s3cr3tvalue"', 'AUTH=abcd1234', 'ftp://user:pass1234@host/path', 'Pwd: hunter22',
    ];
    for (const { kind, pattern, mayMatch } of SECRET_PATTERNS) {
      if (!mayMatch) continue;
      for (const text of samples) {
        pattern.lastIndex = 0;
        if (pattern.test(text)) expect(mayMatch(text), `${kind}: ${text}`).toBe(true);
      }
    }
    expect(redactSecrets('Api-Key: 0123456789abcdef').kinds).toEqual(['credential-assignment']);
  });

  it('passes null through', () => {
    expect(redact(null)).toBeNull();
  });
});
