import type { FastifyInstance } from 'fastify';
import type { ModelEntry } from '../../config/gateway-config.js';
import { FrugalError } from '../../errors/frugal-error.js';
import type { Gateway } from '../../pipeline/create-gateway.js';

// A fixed creation time: the catalog has no real one, and a changing value would defeat client caches.
const CREATED = 1_763_856_000;

function toOpenAIModel(model: ModelEntry) {
  return {
    id: model.name,
    object: 'model' as const,
    created: CREATED,
    owned_by: model.provider,
    // Frugal's additions: what the model costs and holds, so clients can choose.
    pricing: { input: model.priceUsdPerMillion.input, output: model.priceUsdPerMillion.output, cached_input: model.priceUsdPerMillion.cachedInput, unit: 'USD per 1M tokens' },
    context_window: model.context ?? null,
    type: model.type,
  };
}

export function registerModelsRoute(app: FastifyInstance, gateway: Gateway) {
  // Built once per config: a reload swaps the gateway's config, and the list follows it.
  let listed: { config: unknown; list: { object: 'list'; data: Array<ReturnType<typeof toOpenAIModel>> } } | undefined;
  // A key limited to some models sees those only, as OpenAI lists the models a key can use.
  app.get('/v1/models', async (request) => {
    if (listed?.config !== gateway.config) listed = { config: gateway.config, list: { object: 'list', data: gateway.models().map(toOpenAIModel) } };
    const allowed = request.frugalKey?.allowedModels;
    if (!allowed) return listed.list;
    return { object: 'list' as const, data: listed.list.data.filter((model) => allowed.includes(model.id)) };
  });
  app.get<{ Params: { '*': string } }>('/v1/models/*', async (request) => {
    const model = gateway.config.models.get(request.params['*']);
    const allowed = request.frugalKey?.allowedModels;
    if (!model || (allowed && !allowed.includes(model.name))) throw new FrugalError('model_not_found', `The model '${request.params['*']}' does not exist or this key may not use it.`, { param: 'model' });
    return toOpenAIModel(model);
  });
}
