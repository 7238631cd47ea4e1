/**
 * Every expected problem the monitor reports has a code from this table. Logs carry the code; the UI and the
 * CLI map it to the help text below. Add a code here before returning it anywhere.
 */
export const PROBLEM_HELP = {
  'config.invalid-argument': 'A command-line argument or option is missing or malformed.',
  'config.data-dir-missing': 'The OpenCode data directory does not exist; pass --data-dir or set XDG_DATA_HOME.',
  'source.unreadable': 'A storage file or database could not be opened or read; it is retried on the next change.',
  'source.busy': 'The OpenCode database was locked (SQLITE_BUSY); the read is retried.',
  'source.vanished': 'A file or database disappeared between listing and reading.',
  'parse.invalid-json': 'A stored JSON document is corrupt or truncated; the record is skipped and counted.',
  'parse.unknown-type': 'A record of a type this version does not know; it is kept as unknown.',
  'parse.unknown-table': 'A database table this version does not read (e.g. OpenCode 2 history); it is counted and left alone.',
  'parse.invalid-record': 'A stored JSON document is valid JSON but not the record its location implies; it is skipped and counted.',
  'query.sql-error': 'DuckDB rejected the SQL; its message, shown as is, says why. `SHOW TABLES` and `DESCRIBE <table>` list what exists.',
  'protocol.bad-message': 'A message on the wire did not match the protocol; it was dropped.',
  'protocol.version-mismatch': 'The peer speaks another protocol version.',
  'protocol.disconnected': 'The engine connection closed before an answer arrived; it reconnects and resumes.',
  'serve.port-in-use': 'The requested port is taken; the next free port is used.',
  'serve.not-found': 'No such route or file.',
  'serve.forbidden': 'The request lacked a valid token, or came from a foreign Origin or Host.',
  'serve.bad-request': 'A query parameter or request body is missing or malformed; the message names the field and what is accepted.',
  'serve.method-not-allowed': 'The route exists but not for this HTTP method (everything is GET except the reply routes, which are POST).',
  'serve.unsupported-media-type': 'A POST body must be sent as Content-Type: application/json.',
  'serve.payload-too-large': 'The request body exceeds the size cap (16 KB); nothing was done.',
  'serve.snapshot-file': 'The DuckDB file new clients attach could not be written; they load the Arrow snapshot instead, and the log says why.',
  'serve.rate-limited': 'Too many mutating calls from this client; wait for the time in Retry-After and try again.',
  'live.unreachable': 'An OpenCode instance did not answer (refused, reset or timed out); the monitor retries with back-off.',
  'live.http-status': 'An OpenCode instance answered with an error status (401: password needed; 404: not supported by this version).',
  'live.bad-response': 'An OpenCode instance answered with something that is not the expected JSON.',
  'live.stream-lost': 'The event stream of an OpenCode instance ended or fell silent past the heartbeat; it is reconnected and re-seeded.',
  'live.audit-unwritable': 'An action was carried out but could not be written to the audit log.',
  'live.unsupported': 'This action needs another platform (terminal focus: macOS with iTerm2 or Terminal); the UI hides it here.',
  'live.opt-in-off': 'An opt-in feature (Claude subscription usage) is off; nothing was read or requested.',
  'demo.unwritable': 'The generated demo data could not be written under the state dir; pass --state-dir DIR or --data-dir DIR.',
  'security.invalid-rule': 'A security rule file is malformed; the message names the file, the rule id and the field. Built-in rules are used instead of a broken user file.',
  'internal.bug': 'An invariant broke. This is a bug in OpenCode Monitor; please report it.',
} as const;

export type ProblemCode = keyof typeof PROBLEM_HELP;

export function isProblemCode(value: unknown): value is ProblemCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(PROBLEM_HELP, value);
}
