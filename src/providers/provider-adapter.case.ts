import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrugalError } from '../errors/frugal-error.js';
import type { ChatChunk, ChatRequest } from '../wire/chat-types.js';
import type { TokenUsage } from '../wire/token-usage.js';
import type { ChatResult, ProviderAdapter } from './provider-adapter.js';

export interface AdapterUnderTest {
  adapter: ProviderAdapter;
  /** An adapter on the same upstream whose answers come slowly enough to abort (default: `adapter`). */
  slowAdapter?: ProviderAdapter;
  close(): Promise<void>;
}

/**
 * One adapter and the upstream it talks to, for the conformance suite. Scenarios are chosen per request by the
 * text of the last user message (the mocks' directives), so tests never share upstream state. A scenario the
 * upstream cannot play (the simulated provider has no upstream to fail) is left out, and so is its test.
 */
export interface ProviderAdapterCase {
  /** Starts the upstream (if any) and the adapter on it. */
  start(): Promise<AdapterUnderTest>;
  /** The upstream model id the adapter is called with. */
  model: string;
  /** The credential the adapter presents upstream: it must never reach an error. */
  apiKey?: string;
  /** The arguments the upstream's get_weather tool call carries, when the upstream fixes them. */
  toolArguments?: Record<string, unknown>;
  /** Message text that makes the upstream answer exactly `text` (no commas). */
  text?(text: string): string;
  /** Message text that makes the upstream report a usage of its choosing, and what the adapter must map it to. */
  usage?: { message: string; expected(responseId: string): TokenUsage };
  /** Message text that makes the upstream answer HTTP `status`, with Retry-After, quoting the key it was sent when `quoteKey`. */
  httpError?(status: number, options: { retryAfterSeconds?: number; quoteKey?: boolean }): string;
  /** Message text that makes the upstream never answer (default: any text on `slowAdapter`). */
  hang?: string;
  /** Message text for a stream whose events after the first come slowly or never. */
  slowStream: string;
}

const call = (signal = new AbortController().signal) => ({ signal });
const weatherTool = { type: 'function' as const, function: { name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { location: { type: 'string' }, unit: { type: 'string' } } } } };

async function failure(promise: Promise<unknown>): Promise<FrugalError> {
  const caught = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(caught instanceof FrugalError)) throw new Error(`expected a FrugalError, got ${String(caught)}`);
  return caught;
}

async function drain(chunks: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> {
  const seen: ChatChunk[] = [];
  for await (const chunk of chunks) seen.push(chunk);
  return seen;
}

/** What the chunks of one choice add up to: its text, tool calls (by index) and finish reasons, in order. */
function assemble(chunks: ChatChunk[]) {
  let content = '';
  const finishes: string[] = [];
  const tools = new Map<number, { id: string; name: string; arguments: string }>();
  for (const chunk of chunks) {
    for (const choice of chunk.choices) {
      if (finishes.length > 0 && (choice.delta?.content || choice.delta?.tool_calls)) throw new Error('output after finish_reason');
      content += choice.delta?.content ?? '';
      for (const call of choice.delta?.tool_calls ?? []) {
        const tool = tools.get(call.index) ?? { id: '', name: '', arguments: '' };
        tool.id ||= call.id ?? '';
        tool.name ||= call.function?.name ?? '';
        tool.arguments += call.function?.arguments ?? '';
        tools.set(call.index, tool);
      }
      if (choice.finish_reason) finishes.push(choice.finish_reason);
    }
  }
  return { content, finishes, tools: [...tools.values()] };
}

/**
 * The behaviour every provider adapter owes the pipeline, whatever the wire format behind it: OpenAI-shaped
 * answers and chunks, usage, tool calls, errors that carry the decision (code, status, upstreamFailure,
 * retry-after), cancellation, and no key in any error. A new adapter's test file is a few lines.
 *
 * @example
 * describeProviderAdapterConformance('simulated', { start: async () => ({ adapter, close: async () => {} }), ... });
 */
export function describeProviderAdapterConformance(name: string, adapterCase: ProviderAdapterCase): void {
  describe(`${name} adapter conformance`, () => {
    let subject: AdapterUnderTest;
    beforeAll(async () => {
      subject = await adapterCase.start();
    });
    afterAll(async () => subject?.close());

    const ask = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: adapterCase.model, max_tokens: 256, messages: [{ role: 'user', content }], ...extra });
    const plain = () => ask(adapterCase.text?.('Conformance says hello.') ?? 'Say hello for the conformance suite.');
    const forcedTool = (content: string) => ask(content, { tools: [weatherTool], tool_choice: { type: 'function', function: { name: 'get_weather' } } });

    it('answers a chat in OpenAI shape, with usage reported in the body and to the pipeline', async () => {
      const { response, usage, warnings } = await subject.adapter.chat(plain(), call());
      expect(response.object).toBe('chat.completion');
      expect(response.choices).toHaveLength(1);
      const [choice] = response.choices;
      expect(choice).toMatchObject({ index: 0, message: { role: 'assistant' }, finish_reason: 'stop' });
      if (adapterCase.text) expect(choice.message.content).toBe('Conformance says hello.');
      else expect(choice.message.content).toEqual(expect.stringMatching(/\S/));
      expect(usage).toMatchObject({ estimated: false });
      expect(usage!.promptTokens).toBeGreaterThan(0);
      expect(usage!.completionTokens).toBeGreaterThan(0);
      expect(response.usage).toMatchObject({ prompt_tokens: usage!.promptTokens, completion_tokens: usage!.completionTokens });
      expect(Array.isArray(warnings)).toBe(true);
    });

    it('streams the same answer in order: the role first, the text, one finish, then the usage chunk last', async () => {
      const whole: ChatResult = await subject.adapter.chat(plain(), call());
      const stream = await subject.adapter.streamChat(plain(), call());
      const chunks = await drain(stream.chunks);
      expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.id === chunks[0].id)).toBe(true);
      expect(chunks.find((chunk) => chunk.choices.length > 0)!.choices[0].delta.role).toBe('assistant');
      const { content, finishes } = assemble(chunks);
      expect(content).toBe(whole.response.choices[0].message.content);
      expect(finishes).toEqual(['stop']);
      const last = chunks[chunks.length - 1];
      expect(last.choices).toEqual([]);
      const usage = stream.usage();
      expect(usage).toMatchObject({ promptTokens: whole.usage!.promptTokens, completionTokens: whole.usage!.completionTokens, estimated: false });
      expect(last.usage).toMatchObject({ prompt_tokens: usage!.promptTokens, completion_tokens: usage!.completionTokens });
    });

    it('returns a forced tool call whole and streamed, with the same name and arguments', async () => {
      const { response } = await subject.adapter.chat(forcedTool('What is the weather in Paris?'), call());
      const [choice] = response.choices;
      expect(choice.finish_reason).toBe('tool_calls');
      expect(choice.message.tool_calls).toHaveLength(1);
      const [toolCall] = choice.message.tool_calls!;
      expect(toolCall).toMatchObject({ type: 'function', id: expect.stringMatching(/\S/), function: { name: 'get_weather' } });
      const args = JSON.parse(toolCall.function.arguments) as Record<string, unknown>;
      // Whatever the upstream chose, it is an object of the tool's own parameters.
      expect(Object.keys(args).every((key) => key in weatherTool.function.parameters.properties), toolCall.function.arguments).toBe(true);
      if (adapterCase.toolArguments) expect(args).toEqual(adapterCase.toolArguments);

      const stream = await subject.adapter.streamChat(forcedTool('What is the weather in Paris?'), call());
      const { tools, finishes } = assemble(await drain(stream.chunks));
      expect(finishes).toEqual(['tool_calls']);
      expect(tools).toHaveLength(1);
      expect(tools[0]).toMatchObject({ id: expect.stringMatching(/\S/), name: 'get_weather' });
      expect(JSON.parse(tools[0].arguments)).toEqual(args);
    });

    // Only what the adapter's upstream can play is a test: nothing is registered (and reported skipped) otherwise.
    if (adapterCase.usage) it('maps the usage the upstream reports, cached and cache-write tokens included', async () => {
      const { message, expected } = adapterCase.usage!;
      const whole = await subject.adapter.chat(ask(message), call());
      expect(whole.usage).toEqual(expected(whole.response.id));
      const stream = await subject.adapter.streamChat(ask(message), call());
      const chunks = await drain(stream.chunks);
      expect(stream.usage()).toEqual(expected(chunks[0].id));
    });

    // upstream status → code, the caller's status, whether the deployment failed (breakers count it, the route
    // falls back), whether a retry may help. A 401/403 refuses the gateway's own provider key: the deployment's
    // failure, a 502 for the caller.
    const STATUSES: ReadonlyArray<readonly [number, string, number, boolean]> = [
      [400, 'upstream_error', 400, false],
      [401, 'upstream_error', 502, true],
      [403, 'upstream_error', 502, true],
      [429, 'upstream_rate_limited', 429, true],
      [500, 'upstream_error', 500, true],
      [503, 'upstream_error', 503, true],
    ];
    if (adapterCase.httpError) it('turns upstream 4xx and 5xx into FrugalErrors that carry the decision, before the first chunk too', async () => {
      for (const [status, code, callerStatus, failed] of STATUSES) {
        const message = adapterCase.httpError!(status, { retryAfterSeconds: status === 429 ? 7 : undefined });
        for (const attempt of [() => subject.adapter.chat(ask(message), call()), () => subject.adapter.streamChat(ask(message), call())]) {
          const error = await failure(attempt());
          expect({ code: error.code, status: error.status, upstreamFailure: error.upstreamFailure, retryable: error.retryable }, `HTTP ${status}`).toEqual({ code, status: callerStatus, upstreamFailure: failed, retryable: failed });
          if (status === 401 || status === 403) expect(error.upstreamCode).toBe('provider_credentials_rejected');
          if (status === 429) expect(error.retryAfterSeconds).toBe(7);
        }
      }
    });

    if (adapterCase.httpError && adapterCase.apiKey) it('never puts the provider key in an error, even when the upstream quotes it', async () => {
      for (const status of [400, 401, 500]) {
        const message = adapterCase.httpError!(status, { quoteKey: true });
        for (const attempt of [() => subject.adapter.chat(ask(message), call()), () => subject.adapter.streamChat(ask(message), call())]) {
          const error = await failure(attempt());
          const visible = JSON.stringify({ message: error.message, type: error.type, param: error.param, upstreamCode: error.upstreamCode });
          expect(visible, `HTTP ${status}`).not.toContain(adapterCase.apiKey!);
        }
      }
    });

    it('stops when the signal is aborted, before the answer and mid-stream, without blaming the upstream', async () => {
      const slow = subject.slowAdapter ?? subject.adapter;
      const early = new AbortController();
      const pending = slow.chat(ask(adapterCase.hang ?? 'Answer slowly.'), call(early.signal));
      setTimeout(() => early.abort(), 50);
      const beforeAnswer = await failure(pending);
      expect({ code: beforeAnswer.code, upstreamFailure: beforeAnswer.upstreamFailure }).toEqual({ code: 'upstream_timeout', upstreamFailure: false });

      const midway = new AbortController();
      const stream = await slow.streamChat(ask(adapterCase.slowStream), call(midway.signal));
      const iterator = stream.chunks[Symbol.asyncIterator]();
      expect((await iterator.next()).done).toBe(false);
      midway.abort();
      const rest = (async () => {
        for (;;) if ((await iterator.next()).done) return;
      })();
      const midStream = await failure(rest);
      expect({ code: midStream.code, upstreamFailure: midStream.upstreamFailure }).toEqual({ code: 'upstream_timeout', upstreamFailure: false });
    });
  });
}
