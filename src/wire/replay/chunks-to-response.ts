import type { ChatChoice, ChatChunk, ChatResponse, FinishReason, OpenAIUsage, ToolCall } from '../chat-types.js';

interface ChoiceState {
  content: string[];
  contentSeen: boolean;
  refusal: string[];
  refusalNull: boolean;
  toolCalls: Map<number, { id: string; name: string; arguments: string[] }>;
  logprobs: unknown[] | undefined;
  extra: Record<string, unknown>;
  finishReason: FinishReason;
}

const KNOWN_DELTA_FIELDS = new Set(['role', 'content', 'tool_calls', 'refusal']);

/**
 * Assembles a streamed answer into the chat completion a non-streamed call would have returned, one chunk
 * at a time so a stream can be stored once it has finished. Content and refusals are concatenated, tool
 * calls are assembled by their `index` (id and name from their first delta, arguments concatenated),
 * streamed logprobs are joined, and the last usage seen wins.
 *
 * @example
 * const assembler = new ChatResponseAssembler();
 * for await (const chunk of stream) { assembler.add(chunk); forward(chunk); }
 * if (assembler.complete) await store.set(key, { response: assembler.toResponse(), ... });
 */
export class ChatResponseAssembler {
  private id = '';
  private created = 0;
  private model = '';
  private systemFingerprint: string | null | undefined;
  private usage: OpenAIUsage | undefined;
  private readonly choices = new Map<number, ChoiceState>();

  add(chunk: ChatChunk): void {
    if (this.id === '') {
      this.id = chunk.id;
      this.created = chunk.created;
      this.model = chunk.model;
    }
    if (chunk.system_fingerprint !== undefined && chunk.system_fingerprint !== null) this.systemFingerprint = chunk.system_fingerprint;
    else if (this.systemFingerprint === undefined && chunk.system_fingerprint === null) this.systemFingerprint = null;
    if (chunk.usage) this.usage = chunk.usage;
    for (const item of chunk.choices ?? []) {
      const state = this.choiceState(item.index);
      const delta = item.delta ?? {};
      if (typeof delta.content === 'string') {
        state.content.push(delta.content);
        state.contentSeen = true;
      }
      if (typeof delta.refusal === 'string') state.refusal.push(delta.refusal);
      else if (delta.refusal === null) state.refusalNull = true;
      for (const call of delta.tool_calls ?? []) {
        let tool = state.toolCalls.get(call.index);
        if (tool === undefined) {
          tool = { id: '', name: '', arguments: [] };
          state.toolCalls.set(call.index, tool);
        }
        if (call.id && tool.id === '') tool.id = call.id;
        if (call.function?.name && tool.name === '') tool.name = call.function.name;
        if (call.function?.arguments) tool.arguments.push(call.function.arguments);
      }
      for (const [field, value] of Object.entries(delta)) if (!KNOWN_DELTA_FIELDS.has(field) && value !== undefined && value !== null) state.extra[field] = value;
      const logprobContent = (item.logprobs as { content?: unknown } | null | undefined)?.content;
      if (Array.isArray(logprobContent)) (state.logprobs ??= []).push(...logprobContent);
      if (item.finish_reason) state.finishReason = item.finish_reason;
    }
  }

  /** True once at least one choice was seen and every choice has a finish reason: only then is it safe to store. */
  get complete(): boolean {
    if (this.choices.size === 0) return false;
    for (const state of this.choices.values()) if (state.finishReason === null) return false;
    return true;
  }

  toResponse(): ChatResponse {
    const choices: ChatChoice[] = [...this.choices.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, state]) => {
        const toolCalls: ToolCall[] = [...state.toolCalls.entries()]
          .sort(([a], [b]) => a - b)
          .map(([, tool]) => ({ id: tool.id, type: 'function', function: { name: tool.name, arguments: tool.arguments.join('') } }));
        const text = state.content.join('');
        // A tool-call answer without text has `content: null` in a non-streamed response; so has a stream
        // that only ever sent `content: null` (a refusal).
        const content = (text === '' && toolCalls.length > 0) || !state.contentSeen ? null : text;
        const message: ChatChoice['message'] = { role: 'assistant', content, ...state.extra };
        if (state.refusal.length > 0) message.refusal = state.refusal.join('');
        else if (state.refusalNull) message.refusal = null;
        if (toolCalls.length > 0) message.tool_calls = toolCalls;
        const choice: ChatChoice = { index, message, finish_reason: state.finishReason };
        if (state.logprobs !== undefined) choice.logprobs = { content: state.logprobs };
        return choice;
      });
    const response: ChatResponse = { id: this.id, object: 'chat.completion', created: this.created, model: this.model, choices };
    if (this.usage) response.usage = this.usage;
    if (this.systemFingerprint !== undefined) response.system_fingerprint = this.systemFingerprint;
    return response;
  }

  private choiceState(index: number): ChoiceState {
    let state = this.choices.get(index);
    if (state === undefined) {
      state = { content: [], contentSeen: false, refusal: [], refusalNull: false, toolCalls: new Map(), logprobs: undefined, extra: {}, finishReason: null };
      this.choices.set(index, state);
    }
    return state;
  }
}

/** Assembles a whole chunk sequence at once (see {@link ChatResponseAssembler}). */
export function chunksToResponse(chunks: Iterable<ChatChunk>): ChatResponse {
  const assembler = new ChatResponseAssembler();
  for (const chunk of chunks) assembler.add(chunk);
  return assembler.toResponse();
}
