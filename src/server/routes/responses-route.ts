import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import { FrugalError } from '../../errors/frugal-error.js';
import { toOpenAIError } from '../../errors/to-openai-error.js';
import type { Gateway } from '../../pipeline/create-gateway.js';
import { createMemoryResponseStore } from '../../responses/memory-response-store.js';
import { resolveConversation } from '../../responses/response-conversation.js';
import { failAbandonedStreams } from '../../responses/abandoned-streams.js';
import { saveIfStillStored, type ResponseStore, type StoredResponse } from '../../responses/response-store.js';
import type { ChatChunk } from '../../wire/chat-types.js';
import { chatToResponse, responseEnvelope } from '../../wire/responses/chat-to-response.js';
import { ResponseEventConverter } from '../../wire/responses/chunks-to-response-events.js';
import { responseIdOf } from '../../wire/responses/response-ids.js';
import type { MessageOrigin, ParamMap } from '../../wire/responses/chat-param-to-responses.js';
import { responsesToChat, UnsupportedInputError } from '../../wire/responses/responses-to-chat.js';
import { unpairedToolCallIssue } from '../../wire/responses/unpaired-tool-calls.js';
import type { ResponseObject, ResponseStreamEvent, StoredInputItem } from '../../wire/responses/responses-types.js';
import { frugalHeaders, simulatedMark } from '../reply-headers.js';
import { servedByGateway } from '../request-log.js';
import { callerOf } from '../request-scope.js';
import { keptItems } from './responses-context.js';
import { inResponsesTerms, validatedResponsesRequest } from './responses-errors.js';
import { listInputItems } from './responses-input-items.js';
import { writeSseEvents } from './write-sse-events.js';

export interface ResponsesRouteOptions {
  /** Where stored responses live; default: a bounded in-memory store owned by the route. */
  store?: ResponseStore;
  /** When a stored `in_progress` response counts as abandoned (default: an hour old; tests pass a clock). */
  abandoned?: { afterMs?: number; now?: () => number };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

function responseNotFound(id: string): FrugalError {
  return new FrugalError('not_found', `Response with id '${id}' not found.`, { param: 'response_id' });
}

/** How a mid-stream failure reads in `response.failed`: the Responses API's own small set of codes. */
function failureOf(error: unknown): { code: string; message: string } {
  const { status, body } = toOpenAIError(error);
  return { code: status === 429 ? 'rate_limit_exceeded' : 'server_error', message: body.error.message };
}

/**
 * The Responses API (`POST /v1/responses` and the stored-response routes) as a door onto the chat pipeline:
 * the request becomes a chat completion that `gateway.chat` runs like any other — routes, cascades, caches,
 * budgets, keys, ledger — and the answer is turned back into a Response, or a stream of Responses events.
 */
export function registerResponsesRoute(app: FastifyInstance, gateway: Gateway, options: ResponsesRouteOptions = {}) {
  const given = options.store ?? createMemoryResponseStore();
  // A store passed in belongs to whoever opened it; only the route's own default is closed with the app.
  if (!options.store) app.addHook('onClose', async () => given.close());
  const { maxMessages } = gateway.config.server;
  const ownerOf = (request: FastifyRequest) => request.frugalKey?.id ?? null;
  // Responses this instance is streaming: GET shows their output so far (the store holds them as in_progress).
  const streaming = new Map<string, ResponseEventConverter>();
  // A copy left in_progress by a gateway killed mid-stream reads as failed once it is old enough (abandoned-streams.ts).
  const store = failAbandonedStreams(given, { ...options.abandoned, isLive: (id) => streaming.has(id) });

  /** `onlyIfStillStored`: a stream's last save, which must not bring back a response deleted while it streamed. */
  async function save(stored: StoredResponse, log: FastifyBaseLogger, onlyIfStillStored = false) {
    try {
      if (onlyIfStillStored) await saveIfStillStored(store, stored);
      else await store.save(stored);
    } catch (error) {
      // The answer is paid for and on its way; a lost copy only breaks a later previous_response_id (a 404 then).
      log.error({ err: error, responseId: stored.id }, 'could not store the response');
    }
  }

  app.post('/v1/responses', async (request, reply) => {
    const body = validatedResponsesRequest(request.body);
    const owner = ownerOf(request);
    const id = responseIdOf(randomUUID().replaceAll('-', ''));
    const createdAtMs = Date.now();
    const { history, inputItems, inputIndexes } = await resolveConversation(store, owner, body, id);
    const whole = [...history, ...inputItems];
    if (whole.length === 0) throw new FrugalError('invalid_request', "'input' must hold at least one item.", { param: 'input' });
    if (whole.length > maxMessages) {
      throw new FrugalError('limit_exceeded', `The conversation holds ${whole.length} items; the gateway accepts at most ${maxMessages} (server.max_messages).`, { param: 'input' });
    }
    const unpaired = unpairedToolCallIssue(whole);
    if (unpaired) throw new FrugalError('invalid_request', unpaired.message, { param: unpaired.param });
    const kept = keptItems(gateway.config, body, whole);
    const conversation = kept.map((index) => whole[index]);
    const origins: MessageOrigin[] = [];
    let chat;
    try {
      chat = responsesToChat(body, conversation, origins);
    } catch (error) {
      if (error instanceof UnsupportedInputError) throw new FrugalError('invalid_request', error.message, { param: error.param });
      throw error;
    }
    const paramMap: ParamMap = {
      origins,
      inputIndexes: kept.map((index) => (index < history.length ? null : inputIndexes[index - history.length])),
      inputIsString: typeof body.input === 'string',
      logprobsFrom: body.include?.includes('message.output_text.logprobs') ? 'include' : 'top_logprobs',
    };
    const envelope = responseEnvelope(body, id, Math.floor(createdAtMs / 1000));
    const keep = body.store !== false;
    const record = (response: ResponseObject): StoredResponse => ({ id, owner, createdAt: createdAtMs, previousResponseId: body.previous_response_id ?? null, inputItems, response });

    const caller = callerOf(request, reply.raw);
    let answer;
    try {
      answer = await gateway.chat(chat, caller);
    } catch (error) {
      throw inResponsesTerms(error, paramMap);
    }
    request.frugalServed = servedByGateway(answer);
    const mark = simulatedMark(gateway.config, answer.meta.provider);
    if (answer.kind === 'stream') {
      const headers = { ...frugalHeaders(caller.requestId, answer.meta.model, answer.meta.provider, undefined, answer.context), ...mark };
      const converter = new ResponseEventConverter(envelope);
      // Stored as in_progress before the first event, so GET finds it while it streams, as OpenAI's does.
      if (keep) {
        await save(record(converter.current), request.log);
        streaming.set(id, converter);
      }
      reply.hijack();
      const finish = async (response: ResponseObject | undefined) => {
        streaming.delete(id);
        if (!keep) return;
        if (response) await save(record(response), request.log, true);
        else await store.delete(id, owner).catch((error: unknown) => request.log.error({ err: error, responseId: id }, 'could not remove the unfinished response'));
      };
      await writeSseEvents(reply.raw, headers, responseEvents(converter, answer.chunks, finish, caller.signal));
      return;
    }
    const response = chatToResponse(answer.response, envelope, nowSeconds());
    if (keep) await save(record(response), request.log);
    const headers = { ...frugalHeaders(caller.requestId, answer.meta.model, answer.meta.provider, answer.meta.costNanos, answer.context), ...mark };
    return reply.headers(headers).send(response);
  });

  app.get<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>('/v1/responses/:id', async (request) => {
    // Replaying a stored response as events belongs to background mode, which Frugal does not offer.
    if (request.query.stream === 'true') throw new FrugalError('invalid_request', 'Streaming a stored response is not supported; retrieve it without stream.', { param: 'stream' });
    const stored = await store.get(request.params.id, ownerOf(request));
    if (!stored) throw responseNotFound(request.params.id);
    const live = stored.response.status === 'in_progress' ? streaming.get(stored.id) : undefined;
    return live ? live.inProgress() : stored.response;
  });

  // Only background responses can be cancelled on OpenAI, and Frugal has none: a response is either finished or
  // streaming to the one client that can stop it by closing the stream.
  app.post<{ Params: { id: string } }>('/v1/responses/:id/cancel', async (request) => {
    const stored = await store.get(request.params.id, ownerOf(request));
    if (!stored) throw responseNotFound(request.params.id);
    throw new FrugalError('invalid_request', 'Only responses created with background=true can be cancelled.', { param: null });
  });

  app.delete<{ Params: { id: string } }>('/v1/responses/:id', async (request) => {
    if (!(await store.delete(request.params.id, ownerOf(request)))) throw responseNotFound(request.params.id);
    return { id: request.params.id, object: 'response.deleted', deleted: true };
  });

  app.get<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>('/v1/responses/:id/input_items', async (request) => {
    const stored = await store.get(request.params.id, ownerOf(request));
    if (!stored) throw responseNotFound(request.params.id);
    return listInputItems(stored.inputItems as StoredInputItem[], request.query);
  });
}

/**
 * The events of one streamed response. The finished response is stored before its last event is sent, so a
 * client that continues with `previous_response_id` the moment it sees `response.completed` finds it.
 * When the client goes away the writer stops pulling: the chat stream is closed (its ledger row says
 * client_aborted) and nothing is stored.
 */
async function* responseEvents(
  converter: ResponseEventConverter,
  chunks: AsyncIterable<ChatChunk>,
  finish: (response: ResponseObject | undefined) => Promise<void>,
  clientGone: AbortSignal,
): AsyncGenerator<ResponseStreamEvent[]> {
  let last: ResponseStreamEvent[] | undefined;
  try {
    // The events of one step leave together, in one socket write.
    yield converter.start();
    try {
      for await (const chunk of chunks) yield converter.push(chunk);
      last = converter.end(nowSeconds());
    } catch (error) {
      // The client hung up while we waited on upstream: nobody reads on, and nothing is kept.
      if (clientGone.aborted) return;
      last = converter.fail(failureOf(error));
    }
    await finish(converter.current);
    yield last;
  } finally {
    // The writer stopped pulling (the client left between events): the in_progress copy goes.
    if (last === undefined) await finish(undefined);
  }
}
