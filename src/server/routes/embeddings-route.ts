import type { FastifyInstance } from 'fastify';
import type { Gateway } from '../../pipeline/create-gateway.js';
import { parseTagHeader } from '../../pipeline/parse-tags.js';
import { frugalHeaders } from '../reply-headers.js';
import { clientSignal, requestIdOf } from '../request-scope.js';

export function registerEmbeddingsRoute(app: FastifyInstance, gateway: Gateway) {
  app.post('/v1/embeddings', async (request, reply) => {
    const requestId = requestIdOf(request);
    const outcome = await gateway.embeddings(request.body, {
      requestId,
      tags: parseTagHeader(request.headers['x-frugal-tags']),
      signal: clientSignal(reply.raw),
      key: request.frugalKey,
    });
    return reply.headers(frugalHeaders(requestId, outcome.model, outcome.provider, outcome.costNanos)).send(outcome.response);
  });
}
