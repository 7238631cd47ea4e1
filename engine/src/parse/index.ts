export { messageIdsFromJson, messageRow, type MessageIds } from './messages.js';
export { BUILTIN_TOOLS, KNOWN_PART_TYPES, partIdsFromJson, partOutputs, toolArgument, type DelegationBase, type PartIds, type PartOutput } from './parts.js';
export {
  projectFromJson,
  projectFromSqlRow,
  sessionFromJson,
  sessionFromSqlRow,
  todoRow,
  type SessionBase,
  type SourceKind,
  type SqlProjectRow,
  type SqlSessionRow,
  type TodoInput,
} from './sessions.js';
export { isObject, obj, preview, PREVIEW_CHARS, type Json } from './text.js';
export { addTokens, parseTokens, tokenCells, ZERO_TOKENS, type Tokens } from './tokens.js';
