import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FrugalError } from '../../errors/frugal-error.js';
import type { Gateway } from '../../pipeline/create-gateway.js';
import { takeCountTokensRequest } from '../../pipeline/count-request-tokens.js';
import { countPromptTokens } from '../../tokens/count-tokens.js';
import { checkCountTokensRequest, checkMessagesRequest } from '../../wire/anthropic/messages-request-schema.js';
import { messagesToChatRequest } from '../../wire/anthropic/messages-to-chat-request.js';
import { chatResponseToMessages } from '../../wire/anthropic/chat-response-to-messages.js';
import { createMessagesStreamEncoder } from '../../wire/anthropic/messages-stream-encoder.js';
import type { WireCheck } from '../../wire/wire-check.js';
import type { ErrorShape } from '../error-shape.js';
import { assertMessageCount } from '../json-limits.js';
import { frugalHeaders, simulatedMark } from '../reply-headers.js';
import { servedByGateway } from '../request-log.js';
import { callerOf } from '../request-scope.js';
import { writeAnthropicSse } from '../write-anthropic-sse.js';

/** `anthropic-beta: a,b` (or the header repeated) → ['a', 'b']. */
export function betasOf(header: string | string[] | undefined): string[] {
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  return values.flatMap((value) => value.split(',')).map((beta) => beta.trim()).filter((beta) => beta !== '');
}

function orThrow<T>(checked: WireCheck<T>): T {
  if (!checked.ok) throw new FrugalError('invalid_request', checked.issue.message, { param: checked.issue.param });
  return checked.value;
}

/**
 * POST /v1/messages and /v1/messages/count_tokens: Anthropic's Messages API in, any configured model or route
 * out, through the same pipeline as chat completions (routing, caches, budgets, keys, ledger). Every error on
 * these paths, the key check included, answers in Anthropic's shape. The client's x-api-key carries its virtual
 * key; anthropic-version is accepted as is, anthropic-beta is passed on to Anthropic upstreams.
 */
export function registerMessagesRoute(app: FastifyInstance, gateway: Gateway) {
  const { maxMessages } = gateway.config.server;
  const config = { errorShape: 'anthropic' as ErrorShape };
  const preValidation = async (request: FastifyRequest) => assertMessageCount(request.body, maxMessages);
  // Every error's `request_id` and request-id header are added where errors are rendered (error-shape.ts).

  app.post('/v1/messages', { config, preValidation }, async (request, reply) => {
    const betas = betasOf(request.headers['anthropic-beta']);
    const body = orThrow(checkMessagesRequest(request.body, betas));
    const { request: chatRequest, warnings } = messagesToChatRequest(body, betas);
    // message_start must carry input usage before the upstream reports any: our count of the translated prompt.
    const estimatedInput = body.stream === true ? countPromptTokens(chatRequest.messages, chatRequest.tools) : 0;
    const caller = callerOf(request, reply.raw);
    const result = await gateway.chat(chatRequest, caller);
    request.frugalServed = servedByGateway(result);
    const { context, meta } = result;
    const kind = gateway.config.providers.get(meta.provider)?.kind;
    // An Anthropic upstream got the native body; any other got the translation, and is told what it lost.
    if (kind !== 'anthropic') context.warnings.push(...warnings);
    if (result.kind === 'stream') {
      const headers: Record<string, string> = { ...frugalHeaders(caller.requestId, meta.model, meta.provider, undefined, context), 'request-id': caller.requestId, ...simulatedMark(gateway.config, meta.provider) };
      const encoder = createMessagesStreamEncoder({
        estimatedInput: { promptTokens: estimatedInput, completionTokens: 0, cachedPromptTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0, estimated: true },
        stopSequences: body.stop_sequences,
      });
      reply.hijack();
      await writeAnthropicSse(reply.raw, headers, result.chunks, encoder, () => meta.usage);
      return;
    }
    // request-id is where Anthropic's SDKs look for the id (message._request_id).
    const headers: Record<string, string> = { ...frugalHeaders(caller.requestId, meta.model, meta.provider, meta.costNanos, context), 'request-id': caller.requestId, ...simulatedMark(gateway.config, meta.provider) };
    return reply.headers(headers).send(chatResponseToMessages(result.response, meta.usage, body.stop_sequences));
  });

  app.post('/v1/messages/count_tokens', { config, preValidation }, async (request, reply) => {
    const betas = betasOf(request.headers['anthropic-beta']);
    const body = orThrow(checkCountTokensRequest(request.body, betas));
    const { request: chatRequest } = messagesToChatRequest({ ...body, max_tokens: body.max_tokens ?? 1 }, betas);
    const caller = callerOf(request, reply.raw);
    // A count may reach the upstream's count endpoint: the key's count_tokens RPM applies, nothing is charged.
    await takeCountTokensRequest(gateway.spendControl.limiter, gateway.config.spendControl, caller.key);
    const counted = await gateway.countTokens(chatRequest, caller);
    return reply.headers({ 'x-frugal-token-counter': counted.counter, 'x-frugal-model': counted.model }).send({ input_tokens: counted.inputTokens });
  });
}
