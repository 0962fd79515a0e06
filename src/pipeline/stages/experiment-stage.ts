import type { GatewayConfig } from '../../config/gateway-config.js';
import { assignArm } from '../../experiments/assign-arm.js';
import { publishExperimentArm } from '../../telemetry/quality-events.js';
import type { Stage } from '../stage.js';

/**
 * Splits the traffic of a route (or model) in a running experiment between its arms: the request is served by
 * the arm's model or route, said out loud in `x-frugal-experiment: name=arm` (and x-frugal-route), and the ledger
 * row keeps the route that was asked for with the experiment and arm. A key whose models exclude its arm's model is
 * left out of the experiment. Undefined when no experiment is configured.
 */
export function experimentStage(config: Pick<GatewayConfig, 'experiments'>, now: () => number = Date.now): Stage | undefined {
  const byRoute = new Map(config.experiments.map((experiment) => [experiment.route, experiment]));
  if (byRoute.size === 0) return undefined;
  return (context, next) => {
    const route = context.request.model;
    const experiment = byRoute.get(route);
    if (experiment === undefined) return next();
    const arm = assignArm(experiment, context, now());
    if (arm === undefined) return next();
    // A key restricted to some models is never served an arm it may not use (the spend stage checked only the
    // route it asked for): it keeps that route, outside the experiment, rather than being moved to another arm,
    // which would skew the split of the users who may use every arm.
    const allowed = context.key?.allowedModels;
    if (allowed && !allowed.includes(arm.model)) return next();
    context.experiment = { name: experiment.name, arm: arm.name, route };
    context.request = { ...context.request, model: arm.model };
    context.routeTrace.push(route);
    context.responseHeaders['x-frugal-experiment'] = `${experiment.name}=${arm.name}`;
    publishExperimentArm({ experiment: experiment.name, arm: arm.name });
    return next();
  };
}
