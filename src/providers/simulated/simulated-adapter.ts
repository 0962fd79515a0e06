import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { FrugalError } from '../../errors/frugal-error.js';
import { countPromptTokens, countTextTokens } from '../../tokens/count-tokens.js';
import type { ChatChunk, ChatRequest, ChatResponse, EmbeddingRequest, FinishReason, ToolCall } from '../../wire/chat-types.js';
import type { CallOptions, ChatResult, ChatStreamResult, EmbeddingResult, ProviderAdapter } from '../provider-adapter.js';
import { usageToOpenAI, type TokenUsage } from '../../wire/token-usage.js';
import { simulatedWords } from './simulated-text.js';

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

interface Plan {
  id: string;
  created: number;
  words: string[];
  toolCall: ToolCall | undefined;
  finishReason: FinishReason;
  usage: TokenUsage;
}

/**
 * A deterministic provider for demo mode, tests and benchmarks: same request → same answer, configurable
 * latency, and usage counted with a real tokenizer.
 */
export function createSimulatedAdapter(options: SimulatedOptions): ProviderAdapter {
  const { name } = options;
  const ttftMs = options.ttftMs ?? 0;
  const tokensPerSecond = options.tokensPerSecond ?? 0;
  const now = options.now ?? Date.now;

  function plan(request: ChatRequest): Plan {
    const seed = JSON.stringify(request.messages);
    const limit = request.max_completion_tokens ?? request.max_tokens ?? undefined;
    const wanted = options.outputTokens ?? 24;
    const count = Math.max(1, limit === undefined || limit === null ? wanted : Math.min(wanted, limit));
    const truncated = limit !== undefined && limit !== null && limit < wanted;
    const forced = request.tool_choice;
    const tool =
      request.tools && request.tools.length > 0 && forced !== undefined && forced !== 'none' && forced !== 'auto'
        ? typeof forced === 'object'
          ? request.tools.find((candidate) => candidate.function.name === forced.function.name)
          : request.tools[0]
        : undefined;
    let words = simulatedWords(seed, count);
    if (request.response_format?.type === 'json_object' || request.response_format?.type === 'json_schema') {
      words = [JSON.stringify({ simulated: true, answer: words.slice(1).join(' ') })];
    }
    const toolCall: ToolCall | undefined = tool
      ? { id: `call_${hash(seed).slice(0, 24)}`, type: 'function', function: { name: tool.function.name, arguments: '{"simulated":true}' } }
      : undefined;
    const text = toolCall ? '' : words.join(' ');
    const completionTokens = toolCall ? countTextTokens(toolCall.function.arguments) : countTextTokens(text);
    return {
      id: `chatcmpl-sim-${hash(`${seed}:${request.model}`).slice(0, 24)}`,
      created: Math.floor(now() / 1000),
      words: toolCall ? [] : words,
      toolCall,
      finishReason: toolCall ? 'tool_calls' : truncated ? 'length' : 'stop',
      usage: {
        promptTokens: countPromptTokens(request.messages, request.tools),
        completionTokens,
        cachedPromptTokens: 0,
        cacheCreationTokens: 0,
        reasoningTokens: 0,
        estimated: false,
      },
    };
  }

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
      rejectUnsupported(request);
      const result = plan(request);
      const pace = tokensPerSecond > 0 ? (result.usage.completionTokens * 1000) / tokensPerSecond : 0;
      await wait(ttftMs + pace, signal);
      const response: ChatResponse = {
        id: result.id,
        object: 'chat.completion',
        created: result.created,
        model: request.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: result.toolCall ? null : result.words.join(' '), ...(result.toolCall ? { tool_calls: [result.toolCall] } : {}) },
            logprobs: null,
            finish_reason: result.finishReason,
          },
        ],
        usage: usageToOpenAI(result.usage),
        system_fingerprint: SIMULATED_FINGERPRINT,
      };
      return { response, usage: result.usage, warnings: [] };
    },

    async streamChat(request: ChatRequest, { signal }: CallOptions): Promise<ChatStreamResult> {
      rejectUnsupported(request);
      const result = plan(request);
      let reported: TokenUsage | undefined;
      const chunk = (delta: ChatChunk['choices'][0]['delta'], finishReason: FinishReason): ChatChunk => ({
        id: result.id,
        object: 'chat.completion.chunk',
        created: result.created,
        model: request.model,
        system_fingerprint: SIMULATED_FINGERPRINT,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      });
      async function* chunks(): AsyncGenerator<ChatChunk> {
        await wait(ttftMs, signal);
        yield chunk({ role: 'assistant', content: '' }, null);
        const gap = tokensPerSecond > 0 ? 1000 / tokensPerSecond : 0;
        if (result.toolCall) {
          yield chunk({ tool_calls: [{ index: 0, id: result.toolCall.id, type: 'function', function: { name: result.toolCall.function.name, arguments: result.toolCall.function.arguments } }] }, null);
        }
        for (let index = 0; index < result.words.length; index += 1) {
          if (gap > 0) await wait(gap, signal);
          if (signal.aborted) throw new FrugalError('upstream_timeout', `Call to provider '${name}' was cancelled.`);
          yield chunk({ content: index === 0 ? result.words[index] : ` ${result.words[index]}` }, null);
        }
        yield chunk({}, result.finishReason);
        reported = result.usage;
        yield { id: result.id, object: 'chat.completion.chunk', created: result.created, model: request.model, system_fingerprint: SIMULATED_FINGERPRINT, choices: [], usage: usageToOpenAI(result.usage) };
      }
      return { chunks: chunks(), usage: () => reported, warnings: [] };
    },

    async embed(request: EmbeddingRequest): Promise<EmbeddingResult> {
      const inputs = Array.isArray(request.input) ? request.input : [request.input];
      const dimensions = request.dimensions ?? 256;
      let promptTokens = 0;
      const data = inputs.map((input, index) => {
        const text = typeof input === 'string' ? input : JSON.stringify(input);
        promptTokens += countTextTokens(text);
        return { object: 'embedding' as const, index, embedding: pseudoEmbedding(text, dimensions) };
      });
      const usage: TokenUsage = { promptTokens, completionTokens: 0, cachedPromptTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0, estimated: false };
      return { response: { object: 'list', data, model: request.model, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } }, usage };
    },

    async close() {},
  };
}

function rejectUnsupported(request: ChatRequest) {
  if (request.n !== undefined && request.n !== null && request.n > 1) {
    throw new FrugalError('not_supported', 'The simulated provider returns one choice; n > 1 is not supported.', { param: 'n' });
  }
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function pseudoEmbedding(text: string, dimensions: number): number[] {
  const digest = createHash('sha512').update(text).digest();
  const vector = Array.from({ length: dimensions }, (_, index) => digest[index % digest.length] / 255 - 0.5 + Math.sin(index) * 0.01);
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => value / norm);
}
