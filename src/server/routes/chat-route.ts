import type { FastifyInstance } from 'fastify';
import type { Gateway } from '../../pipeline/create-gateway.js';
import { parseTagHeader } from '../../pipeline/parse-tags.js';
import { frugalHeaders } from '../reply-headers.js';
import { clientSignal, requestIdOf } from '../request-scope.js';
import { writeSseStream } from '../write-sse-stream.js';

export function registerChatRoute(app: FastifyInstance, gateway: Gateway) {
  app.post('/v1/chat/completions', async (request, reply) => {
    const requestId = requestIdOf(request);
    const reply_ = await gateway.chat(request.body, {
      requestId,
      tags: parseTagHeader(request.headers['x-frugal-tags']),
      signal: clientSignal(reply.raw),
      key: request.frugalKey,
      task: typeof request.headers['x-frugal-task'] === 'string' ? request.headers['x-frugal-task'] : undefined,
      cacheHeader: typeof request.headers['x-frugal-cache'] === 'string' ? request.headers['x-frugal-cache'] : undefined,
    });
    const { context } = reply_;
    const simulated = reply_.meta.model && gateway.config.providers.get(reply_.meta.provider)?.kind === 'simulated';
    if (reply_.kind === 'stream') {
      const headers = frugalHeaders(requestId, reply_.meta.model, reply_.meta.provider, undefined, context);
      if (simulated) headers['x-frugal-simulated'] = 'true';
      reply.hijack();
      await writeSseStream(reply.raw, 200, headers, reply_.chunks);
      return;
    }
    const headers = frugalHeaders(requestId, reply_.meta.model, reply_.meta.provider, reply_.meta.costNanos, context);
    if (simulated) headers['x-frugal-simulated'] = 'true';
    return reply.headers(headers).send(reply_.response);
  });
}
