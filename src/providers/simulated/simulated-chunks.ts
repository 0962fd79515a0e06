import type { ChatChunk, ChunkDelta, FinishReason } from '../../wire/chat-types.js';
import { usageToOpenAI } from '../../wire/token-usage.js';
import type { SimulatedChoice, SimulatedReply } from './plan-simulated-reply.js';

export interface ChunkSettings {
  model: string;
  fingerprint: string;
  /** Awaited before each piece (pacing, cancellation). */
  beforePiece: () => Promise<void>;
}

/**
 * The reply as OpenAI streams it: per choice a role chunk, then content pieces (each with its logprobs when
 * asked) or tool-call argument deltas (id and name in the first, as OpenAI sends them), then the finish
 * chunk; last, a usage chunk with no choices.
 */
export async function* simulatedChunks(reply: SimulatedReply, settings: ChunkSettings): AsyncGenerator<ChatChunk> {
  const chunk = (choice: SimulatedChoice, delta: ChunkDelta, finishReason: FinishReason, logprobs: unknown = null): ChatChunk => ({
    id: reply.id,
    object: 'chat.completion.chunk',
    created: reply.created,
    model: settings.model,
    system_fingerprint: settings.fingerprint,
    choices: [{ index: choice.index, delta, logprobs, finish_reason: finishReason }],
  });
  for (const choice of reply.choices) {
    const call = choice.toolCall;
    if (call) {
      yield chunk(choice, { role: 'assistant', content: null, tool_calls: [{ index: 0, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] }, null);
      for (const piece of choice.pieces) {
        await settings.beforePiece();
        yield chunk(choice, { tool_calls: [{ index: 0, function: { arguments: piece } }] }, null);
      }
    } else {
      yield chunk(choice, { role: 'assistant', content: '', refusal: null }, null);
      for (let index = 0; index < choice.pieces.length; index += 1) {
        await settings.beforePiece();
        const logprobs = choice.logprobs?.content ? { content: [choice.logprobs.content[index]], refusal: null } : null;
        yield chunk(choice, { content: choice.pieces[index] }, null, logprobs);
      }
    }
    yield chunk(choice, {}, choice.finishReason);
  }
  yield {
    id: reply.id,
    object: 'chat.completion.chunk',
    created: reply.created,
    model: settings.model,
    system_fingerprint: settings.fingerprint,
    choices: [],
    usage: usageToOpenAI(reply.usage),
  };
}
