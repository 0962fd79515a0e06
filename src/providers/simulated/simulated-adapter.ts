import { setTimeout as sleep } from 'node:timers/promises';
import { FrugalError } from '../../errors/frugal-error.js';
import { countTextTokens } from '../../tokens/count-tokens.js';
import type { ChatChunk, ChatRequest, ChatResponse, EmbeddingRequest } from '../../wire/chat-types.js';
import { usageToOpenAI, type TokenUsage } from '../../wire/token-usage.js';
import type { CallOptions, ChatResult, ChatStreamResult, EmbeddingResult, ProviderAdapter } from '../provider-adapter.js';
import { announceUpstreamPeer, SIMULATED_PEER } from '../../telemetry/upstream-peer.js';
import { planSimulatedReply } from './plan-simulated-reply.js';
import { simulatedChunks } from './simulated-chunks.js';
import { embeddingDimensions, encodeEmbedding, simulatedEmbedding } from './simulated-embedding.js';

export interface SimulatedOptions {
  name: string;
  /** Milliseconds before the first token. */
  ttftMs?: number;
  /** Output pace; 0 means as fast as possible. */
  tokensPerSecond?: number;
  /** Output length in words when the request sets no max_tokens (default 24). */
  outputTokens?: number;
  now?: () => number;
}

/** Marks every simulated answer, so it is never mistaken for a real model's. */
export const SIMULATED_FINGERPRINT = 'frugal-simulated';

/**
 * A deterministic provider for demo mode, tests and benchmarks: same request → same answer, configurable
 * latency, and usage counted with a real tokenizer. It honours the request as a model would (see
 * plan-simulated-reply.ts): tool calls whose arguments fit the tool's schema, JSON that fits `response_format`,
 * `n` choices, logprobs, and embeddings in float or base64 of the requested size.
 */
export function createSimulatedAdapter(options: SimulatedOptions): ProviderAdapter {
  const { name } = options;
  const ttftMs = options.ttftMs ?? 0;
  const tokensPerSecond = options.tokensPerSecond ?? 0;
  const now = options.now ?? Date.now;
  const plan = (request: ChatRequest) => planSimulatedReply(request, { outputTokens: options.outputTokens ?? 24, created: Math.floor(now() / 1000) });

  async function wait(ms: number, signal: AbortSignal) {
    if (ms <= 0) return;
    try {
      await sleep(ms, undefined, { signal });
    } catch {
      throw new FrugalError('upstream_timeout', `Call to provider '${name}' was cancelled.`, { retryable: true });
    }
  }

  return {
    name,
    kind: 'simulated',

    async chat(request: ChatRequest, { signal }: CallOptions): Promise<ChatResult> {
      announceUpstreamPeer(SIMULATED_PEER);
      const reply = plan(request);
      const pace = tokensPerSecond > 0 ? (reply.usage.completionTokens * 1000) / tokensPerSecond : 0;
      await wait(ttftMs + pace, signal);
      const response: ChatResponse = {
        id: reply.id,
        object: 'chat.completion',
        created: reply.created,
        model: request.model,
        choices: reply.choices.map((choice) => ({
          index: choice.index,
          message: { role: 'assistant', content: choice.content, refusal: null, ...(choice.toolCall ? { tool_calls: [choice.toolCall] } : {}) },
          logprobs: choice.logprobs,
          finish_reason: choice.finishReason,
        })),
        usage: usageToOpenAI(reply.usage),
        system_fingerprint: SIMULATED_FINGERPRINT,
      };
      return { response, usage: reply.usage, warnings: [] };
    },

    async streamChat(request: ChatRequest, { signal }: CallOptions): Promise<ChatStreamResult> {
      announceUpstreamPeer(SIMULATED_PEER);
      const reply = plan(request);
      let reported: TokenUsage | undefined;
      const gap = tokensPerSecond > 0 ? 1000 / tokensPerSecond : 0;
      async function* chunks(): AsyncGenerator<ChatChunk> {
        await wait(ttftMs, signal);
        const beforePiece = async () => {
          if (gap > 0) await wait(gap, signal);
          if (signal.aborted) throw new FrugalError('upstream_timeout', `Call to provider '${name}' was cancelled.`);
        };
        for await (const chunk of simulatedChunks(reply, { model: request.model, fingerprint: SIMULATED_FINGERPRINT, beforePiece })) {
          if (chunk.usage) reported = reply.usage;
          yield chunk;
        }
      }
      return { chunks: chunks(), usage: () => reported, warnings: [] };
    },

    async embed(request: EmbeddingRequest): Promise<EmbeddingResult> {
      const inputs = Array.isArray(request.input) && (request.input.length === 0 || typeof request.input[0] !== 'number') ? request.input : [request.input];
      const dimensions = embeddingDimensions(request.dimensions);
      let promptTokens = 0;
      const data = inputs.map((input, index) => {
        // Token arrays (what tiktoken users send) are embedded by their ids, counted one token each.
        const text = typeof input === 'string' ? input : (input as number[]).join(' ');
        promptTokens += typeof input === 'string' ? countTextTokens(input) : (input as number[]).length;
        return { object: 'embedding' as const, index, embedding: encodeEmbedding(simulatedEmbedding(text, dimensions), request.encoding_format) };
      });
      const usage: TokenUsage = { promptTokens, completionTokens: 0, cachedPromptTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0, estimated: false };
      return { response: { object: 'list', data, model: request.model, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } }, usage };
    },

    async close() {},
  };
}
