/**
 * Tool parts: a call is shown from `pending` (input streaming) through `running` (executing, or waiting for a
 * permission or an answer) and dropped at `completed` / `error`. A completed MCP `notify_ask_user` call is the
 * old way agents asked the user something (seed study §1.4); it stays pending until the user writes again or
 * the agent moves on to another tool.
 */
import { livePath } from '../../../../shared/src/index.js';
import type { LiveAskUser, LiveInstance, LiveSession, LiveTool } from '../../../../shared/src/index.js';
import { ensureSession } from './changes.js';
import type { Changes, ReducerOptions } from './changes.js';
import { list, loose, num, str } from './openCodeEvent.js';
import type { Loose, OpenCodeEvent } from './openCodeEvent.js';
import { chooseToolArgument } from './toolArgument.js';

/** MCP tools are named `<server>_<tool>`, so the notify server's tool may carry a prefix. */
export const isAskUserTool = (tool: string): boolean => tool === 'notify_ask_user' || tool.endsWith('_notify_ask_user');

export function onPartUpdated(inst: LiveInstance, event: OpenCodeEvent, changes: Changes, opts: ReducerOptions): void {
  const part = loose(event.properties.part);
  if (part.type !== 'tool') return;
  const sessionId = str(part.sessionID) ?? str(event.properties.sessionID);
  const callId = str(part.callID) ?? str(part.id);
  const tool = str(part.tool);
  if (sessionId === undefined || callId === undefined || tool === undefined) return;
  const session = ensureSession(inst, sessionId, event.directory, changes, opts);
  const state = loose(part.state);
  const status = str(state.status);
  const path = livePath.tool(inst.id, sessionId, callId);

  if (status === 'pending' || status === 'running') {
    const next = toLiveTool(session.tools[callId], part, state, status, callId, tool, event, opts);
    if (JSON.stringify(next) !== JSON.stringify(session.tools[callId])) changes.set(path, next);
    if (session.askUser !== undefined && !isAskUserTool(tool)) changes.delete([...livePath.session(inst.id, sessionId), 'askUser']);
    return;
  }
  if (session.tools[callId]) changes.delete(path);
  if (status === 'completed' && isAskUserTool(tool)) recordAskUser(inst, session, callId, state, changes, opts);
}

function toLiveTool(
  previous: LiveTool | undefined,
  part: Loose,
  state: Loose,
  status: 'pending' | 'running',
  callId: string,
  tool: string,
  event: OpenCodeEvent,
  opts: ReducerOptions,
): LiveTool {
  const argument = chooseToolArgument(tool, state.input);
  const startedMs = num(loose(state.time).start) ?? previous?.startedMs ?? num(event.properties.time) ?? opts.nowMs;
  return {
    callId,
    messageId: str(part.messageID) ?? '',
    tool,
    status,
    argument: opts.redact ? opts.redact(argument) : argument,
    startedMs,
    ...(previous?.mayNeedPermission ? { mayNeedPermission: true } : {}),
  };
}

function recordAskUser(inst: LiveInstance, session: LiveSession, callId: string, state: Loose, changes: Changes, opts: ReducerOptions): void {
  const input = loose(state.input);
  const redact = opts.redact ?? ((t: string) => t);
  const askUser: LiveAskUser = {
    callId,
    title: redact(str(input.title) ?? ''),
    question: redact(str(input.question) ?? str(input.message) ?? ''),
    options: list(input.options)
      .map((o) => str(o) ?? str(loose(o).label))
      .filter((o): o is string => o !== undefined)
      .map(redact),
    urgency: str(input.urgency) ?? 'normal',
    askedMs: num(loose(state.time).start) ?? opts.nowMs,
  };
  changes.set([...livePath.session(inst.id, session.id), 'askUser'], askUser);
  changes.notify({
    type: 'question.asked',
    instanceId: inst.id,
    sessionId: session.id,
    questionId: `ask_user:${callId}`,
    question: askUser.question || askUser.title,
    timeMs: opts.nowMs,
  });
}
