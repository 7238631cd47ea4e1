/**
 * Anthropic Messages wire format for the fake model. It exists because the OpenAI format has no field for
 * cache-write tokens; an Anthropic-compatible provider reports `cache_creation_input_tokens`, so a test can see
 * non-zero values in all five of OpenCode's token fields.
 */
import { chunkText, contentText, resolveUsage } from './fakeScript.js';
import type { FakeStep, NormalizedRequest } from './fakeScript.js';

interface Block {
  type?: unknown;
  text?: unknown;
}
interface AnthropicMessage {
  role?: unknown;
  content?: unknown;
}

function blocks(content: unknown): Block[] {
  return Array.isArray(content) ? (content as Block[]) : [];
}

/** Tool results come back as user messages; only a user message with no tool_result is a real prompt. */
function isRealUser(m: AnthropicMessage): boolean {
  if (m.role !== 'user') return false;
  return typeof m.content === 'string' || !blocks(m.content).some((b) => b.type === 'tool_result');
}

/** Extracts what the script logic needs from a `/v1/messages` body. */
export function normalizeAnthropicRequest(body: unknown): NormalizedRequest {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const messages: AnthropicMessage[] = Array.isArray(b.messages) ? (b.messages as AnthropicMessage[]) : [];
  const tools = Array.isArray(b.tools)
    ? b.tools.map((t: unknown) => (t as { name?: unknown }).name).filter((n): n is string => typeof n === 'string')
    : [];
  let lastUser = -1;
  messages.forEach((m, i) => {
    if (isRealUser(m)) lastUser = i;
  });
  const toolRounds = messages
    .slice(lastUser + 1)
    .filter((m) => m.role === 'assistant' && blocks(m.content).some((x) => x.type === 'tool_use')).length;
  return {
    userTexts: messages.filter(isRealUser).map((m) => contentText(m.content)),
    system: contentText(b.system),
    tools,
    toolRounds,
    messageCount: messages.length,
  };
}

/** Builds the SSE events of one step in Anthropic's streaming format. */
export function anthropicFrames(step: FakeStep, model: string, newId: () => string): string[] {
  const frame = (o: { type: string; [key: string]: unknown }): string => `event: ${o.type}\ndata: ${JSON.stringify(o)}\n\n`;
  const u = resolveUsage(step.usage);
  const size = step.chunkSize ?? 12;
  const frames = [
    frame({
      type: 'message_start',
      message: {
        id: `msg_${newId()}`,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        // Anthropic's input_tokens excludes both cache reads and cache writes.
        usage: {
          input_tokens: Math.max(0, u.prompt - u.cached - u.cacheWrite),
          output_tokens: 1,
          cache_read_input_tokens: u.cached,
          cache_creation_input_tokens: u.cacheWrite,
        },
      },
    }),
  ];
  let index = 0;
  const block = (start: object, deltas: object[]): void => {
    frames.push(frame({ type: 'content_block_start', index, content_block: start }));
    for (const d of deltas) frames.push(frame({ type: 'content_block_delta', index, delta: d }));
    frames.push(frame({ type: 'content_block_stop', index }));
    index++;
  };
  if (step.reasoning) {
    block({ type: 'thinking', thinking: '', signature: '' }, [
      ...chunkText(step.reasoning, size).map((t) => ({ type: 'thinking_delta', thinking: t })),
      { type: 'signature_delta', signature: `sig_${newId()}` },
    ]);
  }
  if (step.text) block({ type: 'text', text: '' }, chunkText(step.text, size).map((t) => ({ type: 'text_delta', text: t })));
  for (const call of step.toolCalls ?? []) {
    const args = JSON.stringify(call.args);
    block({ type: 'tool_use', id: call.id ?? `toolu_${newId()}`, name: call.name, input: {} }, [
      { type: 'input_json_delta', partial_json: args },
    ]);
  }
  frames.push(
    frame({
      type: 'message_delta',
      delta: { stop_reason: (step.toolCalls?.length ?? 0) > 0 ? 'tool_use' : 'end_turn', stop_sequence: null },
      usage: { output_tokens: u.completion },
    }),
  );
  frames.push(frame({ type: 'message_stop' }));
  return frames;
}

export function anthropicErrorBody(status: number): unknown {
  const type = status === 429 ? 'rate_limit_error' : status >= 500 ? 'api_error' : 'invalid_request_error';
  return { type: 'error', error: { type, message: `fake provider error ${status}` } };
}
