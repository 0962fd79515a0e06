import type { ChatChoice, ChatChunk, ChatResponse, ChunkDelta } from '../chat-types.js';

export interface ResponseToChunksOptions {
  /** Append OpenAI's final usage chunk (`choices: []`), as `stream_options.include_usage` asks. */
  includeUsage?: boolean;
  /** Longest content or arguments piece per chunk, in UTF-16 units (pieces never split a surrogate pair). */
  pieceLength?: number;
}

/** Message fields that get their own deltas; any other field (annotations, audio…) rides on the role chunk. */
const DELTA_FIELDS = new Set(['role', 'content', 'tool_calls', 'refusal']);

function splitPieces(text: string, pieceLength: number): string[] {
  if (text.length <= pieceLength) return [text];
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + pieceLength);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1; // keep a surrogate pair whole
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

function choiceDeltas(choice: ChatChoice, pieceLength: number): ChunkDelta[] {
  const message = choice.message;
  // A message without text (tool calls, refusal) starts with `content: null`, as OpenAI streams it.
  const first: ChunkDelta = { role: 'assistant', content: message.content === null ? null : '' };
  // OpenAI's role chunk carries `refusal: null` when the message has no refusal.
  if (message.refusal === null) first.refusal = null;
  for (const [field, value] of Object.entries(message)) if (!DELTA_FIELDS.has(field) && value !== undefined) first[field] = value;
  const deltas: ChunkDelta[] = [first];
  if (typeof message.content === 'string' && message.content !== '') {
    for (const piece of splitPieces(message.content, pieceLength)) deltas.push({ content: piece });
  }
  if (typeof message.refusal === 'string' && message.refusal !== '') deltas.push({ refusal: message.refusal });
  message.tool_calls?.forEach((call, index) => {
    deltas.push({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] });
    if (call.function.arguments !== '') {
      for (const piece of splitPieces(call.function.arguments, pieceLength)) deltas.push({ tool_calls: [{ index, function: { arguments: piece } }] });
    }
  });
  return deltas;
}

/**
 * Replays a stored chat completion as the chunk sequence OpenAI would have streamed: per choice a role
 * chunk, content pieces, refusal, tool-call deltas (id and name first, then argument pieces) and a finish
 * chunk; then, when asked, the usage chunk with empty `choices`. Logprobs, when stored, ride on a single
 * content chunk so that each token's entry still sits beside its text.
 *
 * @example
 * for (const chunk of responseToChunks(entry.response, { includeUsage: true })) reply.write(formatSseData(JSON.stringify(chunk)));
 */
export function responseToChunks(response: ChatResponse, options: ResponseToChunksOptions = {}): ChatChunk[] {
  const pieceLength = options.pieceLength ?? 512;
  const includeUsage = options.includeUsage === true;
  const chunk = (choices: ChatChunk['choices']): ChatChunk => {
    const result: ChatChunk = { id: response.id, object: 'chat.completion.chunk', created: response.created, model: response.model, choices };
    if (response.system_fingerprint !== undefined) result.system_fingerprint = response.system_fingerprint;
    // OpenAI sends `usage: null` on every chunk but the last when usage was asked for.
    if (includeUsage) result.usage = null;
    return result;
  };
  const chunks: ChatChunk[] = [];
  for (const choice of response.choices) {
    const hasLogprobs = choice.logprobs !== undefined && choice.logprobs !== null;
    const deltas = choiceDeltas(choice, hasLogprobs ? Number.POSITIVE_INFINITY : pieceLength);
    for (const delta of deltas) {
      const item: ChatChunk['choices'][number] = { index: choice.index, delta, finish_reason: null };
      if (hasLogprobs) item.logprobs = typeof delta.content === 'string' && delta.content !== '' ? choice.logprobs : null;
      chunks.push(chunk([item]));
    }
    chunks.push(chunk([{ index: choice.index, delta: {}, finish_reason: choice.finish_reason }]));
  }
  if (includeUsage && response.usage) chunks.push({ ...chunk([]), usage: response.usage });
  return chunks;
}
