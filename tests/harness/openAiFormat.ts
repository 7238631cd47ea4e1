/**
 * OpenAI chat-completions wire format for the fake model: request normalisation and the SSE frames of a step.
 */
import { chunkText, contentText, resolveUsage } from './fakeScript.js';
import type { FakeStep, NormalizedRequest } from './fakeScript.js';

interface ChatMessage {
  role?: unknown;
  content?: unknown;
  tool_calls?: unknown;
}

function asRecord(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Extracts what the script logic needs from a `/v1/chat/completions` body. */
export function normalizeOpenAiRequest(body: unknown): NormalizedRequest {
  const b = asRecord(body);
  const messages: ChatMessage[] = Array.isArray(b.messages) ? (b.messages as ChatMessage[]) : [];
  const tools = Array.isArray(b.tools)
    ? b.tools.map((t) => asRecord(asRecord(t).function).name).filter((n): n is string => typeof n === 'string')
    : [];
  let lastUser = -1;
  messages.forEach((m, i) => {
    if (m.role === 'user') lastUser = i;
  });
  const toolRounds = messages
    .slice(lastUser + 1)
    .filter((m) => m.role === 'assistant' && Array.isArray(m.tool_calls) && m.tool_calls.length > 0).length;
  return {
    userTexts: messages.filter((m) => m.role === 'user').map((m) => contentText(m.content)),
    system: messages
      .filter((m) => m.role === 'system')
      .map((m) => contentText(m.content))
      .join('\n'),
    tools,
    toolRounds,
    messageCount: messages.length,
  };
}

/** Builds the SSE `data:` payloads for one step, ending with the usage chunk and `[DONE]`. */
export function openAiFrames(step: FakeStep, model: string, newCallId: () => string): string[] {
  const base = { id: `chatcmpl-${newCallId()}`, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model };
  const frame = (o: unknown): string => `data: ${JSON.stringify(o)}\n\n`;
  const delta = (d: Record<string, unknown>, finish: string | null = null): string =>
    frame({ ...base, choices: [{ index: 0, delta: d, finish_reason: finish }] });
  const size = step.chunkSize ?? 12;
  const frames = [delta({ role: 'assistant', content: '' })];
  for (const piece of chunkText(step.reasoning ?? '', size)) frames.push(delta({ reasoning_content: piece }));
  for (const piece of chunkText(step.text ?? '', size)) frames.push(delta({ content: piece }));
  const calls = step.toolCalls ?? [];
  calls.forEach((call, index) => {
    const args = JSON.stringify(call.args);
    const id = call.id ?? `call_${newCallId()}`;
    frames.push(delta({ tool_calls: [{ index, id, type: 'function', function: { name: call.name, arguments: '' } }] }));
    // Two argument fragments, so the client's incremental JSON assembly is exercised.
    const half = Math.ceil(args.length / 2);
    for (const part of [args.slice(0, half), args.slice(half)]) {
      if (part) frames.push(delta({ tool_calls: [{ index, function: { arguments: part } }] }));
    }
  });
  frames.push(delta({}, calls.length > 0 ? 'tool_calls' : 'stop'));
  const u = resolveUsage(step.usage);
  frames.push(
    frame({
      ...base,
      choices: [],
      usage: {
        prompt_tokens: u.prompt,
        completion_tokens: u.completion,
        total_tokens: u.prompt + u.completion,
        prompt_tokens_details: { cached_tokens: u.cached },
        completion_tokens_details: { reasoning_tokens: u.reasoning },
      },
    }),
  );
  frames.push('data: [DONE]\n\n');
  return frames;
}

/** Default error body, shaped like OpenAI's so the AI SDK extracts a readable message. */
export function openAiErrorBody(status: number): unknown {
  return { error: { message: `fake provider error ${status}`, type: 'fake_error', code: String(status) } };
}
