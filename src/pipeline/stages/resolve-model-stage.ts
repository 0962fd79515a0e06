import type { GatewayConfig } from '../../config/gateway-config.js';
import { FrugalError } from '../../errors/frugal-error.js';
import type { Stage } from '../stage.js';

/** Maps the requested model name to a configured chat model; an unknown name is a 404 that lists what exists. */
export function resolveModelStage(config: GatewayConfig): Stage {
  const chatModels = [...config.models.values()].filter((model) => model.type === 'chat').map((model) => model.name);
  const available = chatModels.sort().join(', ');
  return async (context, next) => {
    const model = config.models.get(context.request.model);
    if (model === undefined || model.type !== 'chat') {
      throw new FrugalError('model_not_found', `The model '${context.request.model}' does not exist. Available models: ${available}.`, {
        param: 'model',
      });
    }
    context.model = model;
    context.routeTrace.push(model.name);
    return next();
  };
}
