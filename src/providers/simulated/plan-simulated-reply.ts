import { createHash } from 'node:crypto';
import { countPromptTokens, countTextTokens } from '../../tokens/count-tokens.js';
import type { ChatRequest, FinishReason, ToolCall } from '../../wire/chat-types.js';
import type { TokenUsage } from '../../wire/token-usage.js';
import { lastUserText, pickSimulatedTool } from './pick-simulated-tool.js';
import { fakeJson } from './simulated-json.js';
import { simulatedLogprobs, splitIntoPieces, type ChoiceLogprobs } from './simulated-logprobs.js';
import { simulatedWords } from './simulated-text.js';

/** One simulated choice: text (plain or JSON) or one tool call, cut into the pieces it is streamed in. */
export interface SimulatedChoice {
  index: number;
  content: string | null;
  toolCall: ToolCall | undefined;
  /** The content, or the tool call's arguments, as streamed: they join back to the whole. */
  pieces: string[];
  logprobs: ChoiceLogprobs | null;
  finishReason: FinishReason;
}

export interface SimulatedReply {
  id: string;
  created: number;
  choices: SimulatedChoice[];
  usage: TokenUsage;
}

export interface ReplySettings {
  /** Words in a text answer when the request sets no max_tokens. */
  outputTokens: number;
  created: number;
}

/**
 * Everything the simulated model answers, decided up front from the request alone (same request → same reply):
 * a tool call when {@link pickSimulatedTool} picks one (arguments generated from the tool's schema), else JSON
 * when `response_format` asks for it (from the json_schema, or `{simulated, answer}` for json_object), else
 * words starting with "[simulated]". JSON and tool arguments carry no mark (it would break the schema): the
 * `x-frugal-simulated` header, the `frugal-simulated` fingerprint and the `-sim-` ids mark them instead.
 * `n` choices differ by their seed; choice 0 is what n = 1 answers.
 */
export function planSimulatedReply(request: ChatRequest, settings: ReplySettings): SimulatedReply {
  const baseSeed = JSON.stringify(request.messages) + (typeof request.seed === 'number' ? `:seed=${request.seed}` : '');
  const limit = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  const pick = pickSimulatedTool(request);
  const prompt = lastUserText(request.messages);
  const toolIndex = pick ? (request.tools ?? []).indexOf(pick.tool) : -1;
  const count = typeof request.n === 'number' && request.n > 1 ? request.n : 1;
  const wantsLogprobs = request.logprobs === true;
  const top = typeof request.top_logprobs === 'number' ? request.top_logprobs : 0;
  const choices: SimulatedChoice[] = [];
  let completionTokens = 0;
  for (let index = 0; index < count; index += 1) {
    const seed = index === 0 ? baseSeed : `${baseSeed}:choice=${index}`;
    let content: string | null = null;
    let toolCall: ToolCall | undefined;
    let finishReason: FinishReason = 'stop';
    if (pick) {
      const { name, parameters } = pick.tool.function;
      const args = JSON.stringify(fakeJson(parameters ?? { type: 'object', properties: {} }, `${seed}:tool=${name}`, `tools[${toolIndex}].function.parameters`, prompt));
      toolCall = { id: `call_sim_${hash(`${seed}:${name}`).slice(0, 24)}`, type: 'function', function: { name, arguments: args } };
      finishReason = 'tool_calls';
    } else if (request.response_format?.type === 'json_schema' || request.response_format?.type === 'json_object') {
      content = JSON.stringify(jsonAnswer(request, seed, settings.outputTokens, prompt));
    } else {
      const wanted = settings.outputTokens;
      const words = simulatedWords(seed, Math.max(1, limit === undefined || limit === null ? wanted : Math.min(wanted, limit)));
      content = words.join(' ');
      if (limit !== undefined && limit !== null && limit < wanted) finishReason = 'length';
    }
    // A stop sequence ends the text where it would first appear, and is not part of it (as OpenAI does).
    const stopAt = content === null ? -1 : firstStop(content, request.stop);
    if (content !== null && stopAt >= 0) {
      content = content.slice(0, stopAt);
      finishReason = 'stop';
    }
    let pieces = splitIntoPieces(toolCall ? toolCall.function.arguments : (content ?? ''));
    // JSON is cut at max_tokens like any text (OpenAI does the same): the client sees finish_reason "length".
    if (content !== null && finishReason === 'stop' && limit !== undefined && limit !== null && pieces.length > limit && countTextTokens(content) > limit) {
      pieces = pieces.slice(0, limit);
      content = pieces.join('');
      finishReason = 'length';
    }
    completionTokens += countTextTokens(toolCall ? `${toolCall.function.name}${toolCall.function.arguments}` : (content ?? ''));
    const logprobs = wantsLogprobs ? (content === null ? { content: null, refusal: null } : simulatedLogprobs(pieces, seed, top)) : null;
    choices.push({ index, content, toolCall, pieces, logprobs, finishReason });
  }
  return {
    id: `chatcmpl-sim-${hash(`${baseSeed}:${request.model}`).slice(0, 24)}`,
    created: settings.created,
    choices,
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

function jsonAnswer(request: ChatRequest, seed: string, outputTokens: number, prompt: string): unknown {
  const format = request.response_format;
  if (format?.type === 'json_schema') {
    const schema = (format.json_schema as { schema?: unknown } | undefined)?.schema;
    return fakeJson(schema ?? { type: 'object' }, `${seed}:schema`, 'response_format', prompt);
  }
  // json_object has no schema: an object that says what it is.
  return { simulated: true, answer: simulatedWords(seed, Math.max(2, outputTokens)).slice(1).join(' ') };
}

function firstStop(text: string, stop: ChatRequest['stop']): number {
  const sequences = typeof stop === 'string' ? [stop] : Array.isArray(stop) ? stop : [];
  let first = -1;
  for (const sequence of sequences) {
    const at = sequence === '' ? -1 : text.indexOf(sequence);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  return first;
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
