import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Gateway } from '../../pipeline/create-gateway.js';
import { assertMessageCount } from '../json-limits.js';
import { frugalHeaders, simulatedMark } from '../reply-headers.js';
import { servedByGateway } from '../request-log.js';
import { callerOf } from '../request-scope.js';
import { writeSseStream } from '../write-sse-stream.js';
import { responseText } from '../../wire/response-wire-text.js';

// What Fastify sends a serialised object as.
const JSON_TYPE = 'application/json; charset=utf-8';

export function registerChatRoute(app: FastifyInstance, gateway: Gateway) {
  const { maxMessages } = gateway.config.server;
  // Before the gateway: an oversized conversation is refused before anything counts, hashes or copies it.
  const preValidation = async (request: FastifyRequest) => assertMessageCount(request.body, maxMessages);
  app.post('/v1/chat/completions', { preValidation }, async (request, reply) => {
    const caller = callerOf(request, reply.raw);
    const { requestId } = caller;
    const reply_ = await gateway.chat(request.body, caller);
    const { context } = reply_;
    request.frugalServed = servedByGateway(reply_);
    const mark = simulatedMark(gateway.config, reply_.meta.provider);
    if (reply_.kind === 'stream') {
      const headers = { ...frugalHeaders(requestId, reply_.meta.model, reply_.meta.provider, undefined, context), ...mark };
      reply.hijack();
      await writeSseStream(reply.raw, 200, headers, reply_.chunks);
      return;
    }
    const headers = { ...frugalHeaders(requestId, reply_.meta.model, reply_.meta.provider, reply_.meta.costNanos, context), ...mark };
    // The upstream's own bytes when the answer is as it sent it (response-wire-text.ts): no second serialisation.
    const text = responseText(reply_.response);
    if (text !== undefined) return reply.headers(headers).type(JSON_TYPE).send(text);
    return reply.headers(headers).send(reply_.response);
  });
}
