export { redact, redactSecrets, SECRET_PATTERNS, type Redaction, type SecretPattern } from './redact.js';
