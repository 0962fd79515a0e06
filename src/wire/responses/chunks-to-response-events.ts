import type { ChatChunk, FinishReason, OpenAIUsage } from '../chat-types.js';
import { finishOf, logprobsOf, usageToResponses } from './chat-to-response.js';
import { outputItemId } from './response-ids.js';
import type { OutputFunctionCall, OutputMessage, OutputReasoning, OutputTextPart, RefusalPart, ResponseObject, ResponseStreamEvent, TokenLogprob } from './responses-types.js';

type EventBody = ResponseStreamEvent extends infer E ? (E extends ResponseStreamEvent ? Omit<E, 'sequence_number'> : never) : never;

interface OpenPart {
  kind: 'text' | 'refusal';
  index: number;
  chunks: string[];
  /** The text's token logprobs so far, when they were asked for. */
  logprobs: TokenLogprob[];
}
interface OpenMessage {
  outputIndex: number;
  item: OutputMessage;
  part: OpenPart | undefined;
}
interface OpenReasoning {
  outputIndex: number;
  item: OutputReasoning;
  chunks: string[];
}
interface OpenCall {
  outputIndex: number;
  item: OutputFunctionCall;
  chunks: string[];
}

/**
 * Turns a chat-completions chunk stream into the Responses API's semantic events, one chunk at a time:
 * `response.created`, `response.in_progress`, then per output item (reasoning, message, function call)
 * `output_item.added`, its content part or argument deltas and their `.done` events, `output_item.done`, and finally `response.completed` (or
 * `response.incomplete` when the answer was cut by length or a content filter) with usage — or
 * `response.failed` when the upstream broke off. Every event gets the next `sequence_number`, from 0.
 * Only the first choice is read: a response has one output list.
 *
 * @example
 * const events = new ResponseEventConverter(responseEnvelope(request, id, now));
 * send(events.start());
 * for await (const chunk of chunks) send(events.push(chunk));
 * send(events.end(nowSeconds()));
 */
export class ResponseEventConverter {
  private sequence = 0;
  private readonly response: ResponseObject;
  private message: OpenMessage | undefined;
  private reasoning: OpenReasoning | undefined;
  private readonly calls = new Map<number, OpenCall>();
  private openCall: OpenCall | undefined;
  private finishReason: FinishReason = null;
  private usage: OpenAIUsage | undefined;
  private finished = false;

  constructor(envelope: ResponseObject) {
    this.response = { ...envelope, output: [], status: 'in_progress' };
  }

  /** The response as it stands: complete once `end` or `fail` has run. */
  get current(): ResponseObject {
    return this.response;
  }

  /** A copy of the response so far, open parts holding the text streamed until now (GET while it streams). */
  inProgress(): ResponseObject {
    const copy = this.snapshot();
    const part = this.message?.part;
    const message = this.message && copy.output[this.message.outputIndex];
    if (part && message?.type === 'message') {
      message.content[part.index] = part.kind === 'text' ? { type: 'output_text', text: part.chunks.join(''), annotations: [], logprobs: structuredClone(part.logprobs) } : { type: 'refusal', refusal: part.chunks.join('') };
    }
    const call = this.openCall && copy.output[this.openCall.outputIndex];
    if (call?.type === 'function_call') call.arguments = this.openCall!.chunks.join('');
    const reasoning = this.reasoning && copy.output[this.reasoning.outputIndex];
    if (reasoning?.type === 'reasoning') reasoning.content = [{ type: 'reasoning_text', text: this.reasoning!.chunks.join('') }];
    return copy;
  }

  start(): ResponseStreamEvent[] {
    return [this.event({ type: 'response.created', response: this.snapshot() }), this.event({ type: 'response.in_progress', response: this.snapshot() })];
  }

  push(chunk: ChatChunk): ResponseStreamEvent[] {
    const events: ResponseStreamEvent[] = [];
    if (chunk.model) this.response.model = chunk.model;
    if (chunk.usage) this.usage = chunk.usage;
    if (typeof chunk.service_tier === 'string') this.response.service_tier = chunk.service_tier;
    const choice = chunk.choices.find((candidate) => candidate.index === 0);
    if (!choice) return events;
    const { delta } = choice;
    if (typeof delta?.reasoning_content === 'string' && delta.reasoning_content !== '') this.appendReasoning(delta.reasoning_content, events);
    if (typeof delta?.content === 'string' && delta.content !== '') this.appendToMessage('text', delta.content, events, logprobsOf(choice.logprobs));
    if (typeof delta?.refusal === 'string' && delta.refusal !== '') this.appendToMessage('refusal', delta.refusal, events);
    for (const call of delta?.tool_calls ?? []) this.appendToCall(call, events);
    if (choice.finish_reason) this.finishReason = choice.finish_reason;
    return events;
  }

  /** The stream ended normally: close what is open, then `response.completed` or `response.incomplete`. */
  end(completedAt: number): ResponseStreamEvent[] {
    const events: ResponseStreamEvent[] = [];
    if (this.finished) return events;
    this.finished = true;
    const finish = finishOf(this.finishReason ?? 'stop');
    const itemStatus = finish.status === 'completed' ? 'completed' : 'incomplete';
    this.closeReasoning(events, itemStatus);
    this.closeMessage(events, itemStatus);
    this.closeCall(events);
    Object.assign(this.response, finish, {
      completed_at: finish.status === 'completed' ? completedAt : null,
      usage: this.usage ? usageToResponses(this.usage) : null,
    });
    events.push(this.event({ type: finish.status === 'completed' ? 'response.completed' : 'response.incomplete', response: this.snapshot() }));
    return events;
  }

  /** The upstream failed mid-stream: `response.failed` with the error, never a completed response. */
  fail(error: { code: string; message: string }): ResponseStreamEvent[] {
    if (this.finished) return [];
    this.finished = true;
    // What was generated stays in the failed response, without the .done events of a clean end.
    const part = this.message?.part;
    if (this.message && part) this.message.item.content[part.index] = part.kind === 'text' ? { type: 'output_text', text: part.chunks.join(''), annotations: [], logprobs: part.logprobs } : { type: 'refusal', refusal: part.chunks.join('') };
    if (this.openCall) this.openCall.item.arguments = this.openCall.chunks.join('');
    if (this.reasoning) this.reasoning.item.content = [{ type: 'reasoning_text', text: this.reasoning.chunks.join('') }];
    for (const item of this.response.output) if (item.status === 'in_progress') item.status = 'incomplete';
    Object.assign(this.response, { status: 'failed', error, usage: this.usage ? usageToResponses(this.usage) : null });
    return [this.event({ type: 'response.failed', response: this.snapshot() })];
  }

  private event(body: EventBody): ResponseStreamEvent {
    return { ...body, sequence_number: this.sequence++ } as ResponseStreamEvent;
  }

  /** A copy, so later changes to the live response never alter an event already handed out. */
  private snapshot(): ResponseObject {
    return structuredClone(this.response);
  }

  private appendReasoning(text: string, events: ResponseStreamEvent[]) {
    this.closeMessage(events);
    this.closeCall(events);
    if (!this.reasoning) {
      const outputIndex = this.response.output.length;
      const item: OutputReasoning = { type: 'reasoning', id: outputItemId(this.response.id, 'rs', outputIndex), status: 'in_progress', summary: [], content: [] };
      this.response.output.push(item);
      this.reasoning = { outputIndex, item, chunks: [] };
      events.push(this.event({ type: 'response.output_item.added', output_index: outputIndex, item: structuredClone(item) }));
      item.content.push({ type: 'reasoning_text', text: '' });
      events.push(this.event({ type: 'response.content_part.added', item_id: item.id, output_index: outputIndex, content_index: 0, part: { type: 'reasoning_text', text: '' } }));
    }
    const { item, outputIndex, chunks } = this.reasoning;
    chunks.push(text);
    events.push(this.event({ type: 'response.reasoning_text.delta', item_id: item.id, output_index: outputIndex, content_index: 0, delta: text }));
  }

  private closeReasoning(events: ResponseStreamEvent[], status: OutputReasoning['status'] = 'completed') {
    const reasoning = this.reasoning;
    if (!reasoning) return;
    this.reasoning = undefined;
    const where = { item_id: reasoning.item.id, output_index: reasoning.outputIndex, content_index: 0 };
    const text = reasoning.chunks.join('');
    reasoning.item.content = [{ type: 'reasoning_text', text }];
    reasoning.item.status = status;
    events.push(this.event({ type: 'response.reasoning_text.done', ...where, text }));
    events.push(this.event({ type: 'response.content_part.done', ...where, part: { type: 'reasoning_text', text } }));
    events.push(this.event({ type: 'response.output_item.done', output_index: reasoning.outputIndex, item: structuredClone(reasoning.item) }));
  }

  private appendToMessage(kind: OpenPart['kind'], text: string, events: ResponseStreamEvent[], logprobs: TokenLogprob[] = []) {
    this.closeReasoning(events);
    this.closeCall(events);
    if (!this.message) {
      const outputIndex = this.response.output.length;
      const item: OutputMessage = { type: 'message', id: outputItemId(this.response.id, 'msg', outputIndex), status: 'in_progress', role: 'assistant', content: [] };
      this.response.output.push(item);
      this.message = { outputIndex, item, part: undefined };
      events.push(this.event({ type: 'response.output_item.added', output_index: outputIndex, item: structuredClone(item) }));
    }
    const message = this.message;
    if (message.part?.kind !== kind) {
      this.closePart(message, events);
      const part: OpenPart = { kind, index: message.item.content.length, chunks: [], logprobs: [] };
      const empty: OutputTextPart | RefusalPart = kind === 'text' ? { type: 'output_text', text: '', annotations: [], logprobs: [] } : { type: 'refusal', refusal: '' };
      message.item.content.push(empty);
      message.part = part;
      events.push(this.event({ type: 'response.content_part.added', item_id: message.item.id, output_index: message.outputIndex, content_index: part.index, part: structuredClone(empty) }));
    }
    const part = message.part!;
    part.chunks.push(text);
    part.logprobs.push(...logprobs);
    const where = { item_id: message.item.id, output_index: message.outputIndex, content_index: part.index };
    events.push(kind === 'text' ? this.event({ type: 'response.output_text.delta', ...where, delta: text, logprobs }) : this.event({ type: 'response.refusal.delta', ...where, delta: text }));
  }

  private closePart(message: OpenMessage, events: ResponseStreamEvent[]) {
    const part = message.part;
    if (!part) return;
    message.part = undefined;
    const joined = part.chunks.join('');
    const where = { item_id: message.item.id, output_index: message.outputIndex, content_index: part.index };
    const done: OutputTextPart | RefusalPart = part.kind === 'text' ? { type: 'output_text', text: joined, annotations: [], logprobs: part.logprobs } : { type: 'refusal', refusal: joined };
    message.item.content[part.index] = done;
    events.push(part.kind === 'text' ? this.event({ type: 'response.output_text.done', ...where, text: joined, logprobs: structuredClone(part.logprobs) }) : this.event({ type: 'response.refusal.done', ...where, refusal: joined }));
    events.push(this.event({ type: 'response.content_part.done', ...where, part: structuredClone(done) }));
  }

  private closeMessage(events: ResponseStreamEvent[], status: OutputMessage['status'] = 'completed') {
    const message = this.message;
    if (!message) return;
    this.closePart(message, events);
    this.message = undefined;
    message.item.status = status;
    events.push(this.event({ type: 'response.output_item.done', output_index: message.outputIndex, item: structuredClone(message.item) }));
  }

  private appendToCall(delta: NonNullable<ChatChunk['choices'][number]['delta']['tool_calls']>[number], events: ResponseStreamEvent[]) {
    let call = this.calls.get(delta.index);
    // max_tool_calls: calls past the limit are ignored, as OpenAI ignores the model's further attempts.
    if (!call && this.calls.size >= (this.response.max_tool_calls ?? Infinity)) return;
    if (!call) {
      this.closeReasoning(events);
      this.closeMessage(events);
      this.closeCall(events);
      const outputIndex = this.response.output.length;
      const item: OutputFunctionCall = {
        type: 'function_call',
        id: outputItemId(this.response.id, 'fc', outputIndex),
        status: 'in_progress',
        call_id: delta.id ?? `call_${outputIndex}`,
        name: delta.function?.name ?? '',
        arguments: '',
      };
      this.response.output.push(item);
      call = { outputIndex, item, chunks: [] };
      this.calls.set(delta.index, call);
      this.openCall = call;
      events.push(this.event({ type: 'response.output_item.added', output_index: outputIndex, item: structuredClone(item) }));
    }
    const args = delta.function?.arguments;
    // A provider that interleaves calls would send arguments to a call already closed; they are kept, not re-announced.
    if (typeof args === 'string' && args !== '') {
      call.chunks.push(args);
      if (call === this.openCall) events.push(this.event({ type: 'response.function_call_arguments.delta', item_id: call.item.id, output_index: call.outputIndex, delta: args }));
      else call.item.arguments = call.chunks.join('');
    }
  }

  private closeCall(events: ResponseStreamEvent[]) {
    const call = this.openCall;
    if (!call) return;
    this.openCall = undefined;
    call.item.arguments = call.chunks.join('');
    call.item.status = 'completed';
    events.push(this.event({ type: 'response.function_call_arguments.done', item_id: call.item.id, output_index: call.outputIndex, name: call.item.name, arguments: call.item.arguments }));
    events.push(this.event({ type: 'response.output_item.done', output_index: call.outputIndex, item: structuredClone(call.item) }));
  }
}
