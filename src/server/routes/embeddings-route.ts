import type { FastifyInstance } from 'fastify';
import type { Gateway } from '../../pipeline/create-gateway.js';
import { frugalHeaders, simulatedMark } from '../reply-headers.js';
import { callerOf } from '../request-scope.js';

export function registerEmbeddingsRoute(app: FastifyInstance, gateway: Gateway) {
  app.post('/v1/embeddings', async (request, reply) => {
    const caller = callerOf(request, reply.raw);
    const outcome = await gateway.embeddings(request.body, caller);
    request.frugalServed = { requested: outcome.model.name, model: outcome.model.name, provider: outcome.provider, trace: undefined, costNanos: () => outcome.costNanos };
    return reply.headers({ ...frugalHeaders(caller.requestId, outcome.model, outcome.provider, outcome.costNanos), ...simulatedMark(gateway.config, outcome.provider) }).send(outcome.response);
  });
}
