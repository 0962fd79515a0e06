import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { BatchService, CreateBatchInput } from '../../batches/batch-service.js';
import type { BatchCaller } from '../../batches/batch-types.js';
import { FrugalError } from '../../errors/frugal-error.js';
import { parseTagHeader } from '../../pipeline/parse-tags.js';
import { sanitizeHeaderTags } from '../../wire/storable-text.js';
import { ownerOf, singleQueryValue } from './files-route.js';

/** Who the batch's lines run as, kept with the batch (the key's public id and limits, never its secret). */
function batchCaller(request: FastifyRequest): BatchCaller {
  const key = request.frugalKey;
  return {
    keyId: key?.id ?? null,
    key: key ? { id: key.id, team: key.team, allowedModels: key.allowedModels, budget: key.budget, rateLimits: key.rateLimits, defaultTags: key.defaultTags } : null,
    tags: sanitizeHeaderTags(parseTagHeader(request.headers['x-frugal-tags'])),
  };
}

/** OpenAI's Batches API: create, retrieve, list (cursor paged) and cancel, each scoped to the caller's key. */
export function registerBatchesRoute(app: FastifyInstance, batches: BatchService) {
  app.post('/v1/batches', async (request) => {
    const body = (request.body ?? {}) as CreateBatchInput;
    if (typeof body !== 'object') throw new FrugalError('invalid_request', 'The body must be a JSON object.');
    return batches.createBatch(ownerOf(request), batchCaller(request), body);
  });

  app.get<{ Querystring: Record<string, string | string[] | undefined> }>('/v1/batches', async (request) => {
    const raw = singleQueryValue(request.query, 'limit');
    const after = singleQueryValue(request.query, 'after');
    const limit = raw === undefined ? 20 : Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new FrugalError('invalid_request', "'limit' must be an integer from 1 to 100.", { param: 'limit' });
    const page = await batches.list(ownerOf(request), after, limit);
    return { object: 'list', data: page.data, first_id: page.data[0]?.id ?? null, last_id: page.data.at(-1)?.id ?? null, has_more: page.hasMore };
  });

  app.get<{ Params: { id: string } }>('/v1/batches/:id', async (request) => batches.retrieve(request.params.id, ownerOf(request)));

  app.post<{ Params: { id: string } }>('/v1/batches/:id/cancel', async (request) => batches.cancel(request.params.id, ownerOf(request)));
}
