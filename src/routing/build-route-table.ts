import { BUILTIN_CATALOG } from '../catalog/builtin-catalog.js';
import type { GatewayConfig, ModelEntry } from '../config/gateway-config.js';
import { configError } from '../config/resolve-config.js';
import { classifyWithRules, loadTrainedClassifier } from './classify-request.js';
import { defaultAutoRoute } from './default-auto-route.js';
import type { RouteNode } from './route-node.js';
import { parseRouteSpec } from './parse-route-spec.js';
import type { RouteSpec } from './route-schema.js';
import { cascadeRoute } from './strategies/cascade-route.js';
import { fallbackRoute } from './strategies/fallback-route.js';
import { loadBalanceRoute } from './strategies/loadbalance-route.js';
import { modelNode } from './strategies/model-node.js';
import { taskRoute } from './strategies/task-route.js';
import { modelClassifier } from './classifier/model-classifier.js';
import { nearestNames } from './nearest-names.js';

export interface RouteTable {
  routes: ReadonlyMap<string, RouteNode>;
  models: ReadonlyMap<string, RouteNode>;
}

/**
 * Validates `routes:` and compiles it into route nodes at start-up: unknown targets, cycles and bad fields
 * fail start-up with an error naming the path. Request code never looks at the raw config again.
 */
export function buildRouteTable(config: GatewayConfig): RouteTable {
  const models = new Map<string, RouteNode>();
  for (const model of config.models.values()) if (model.type === 'chat') models.set(model.name, modelNode(model));

  const specs = new Map<string, RouteSpec>();
  const routes: Record<string, unknown> = { ...config.routes };
  if (routes.auto === undefined && !config.models.has('auto')) {
    const auto = defaultAutoRoute(config);
    if (auto) routes.auto = auto;
  }
  for (const [name, raw] of Object.entries(routes)) {
    if (config.models.has(name)) throw configError(`routes.${name}: a model has the same name; a route name must differ from every model name`);
    specs.set(name, parseRouteSpec(name, raw));
  }

  const built = new Map<string, RouteNode>();
  const building = new Set<string>();

  function target(name: string, path: string): RouteNode {
    const model = models.get(name);
    if (model) return model;
    if (specs.has(name)) return route(name, path);
    throw configError(`${path}: ${notChat(config, name, [...models.keys(), ...specs.keys()], 'model or route')}`);
  }

  function chatModel(name: string, path: string): ModelEntry {
    const model = config.models.get(name);
    if (!model || model.type !== 'chat') throw configError(`${path}: ${notChat(config, name, models.keys(), 'model')}`);
    return model;
  }

  function classifierOf(spec: Extract<RouteSpec, { strategy: 'map' | 'classify' }>['classifier'], tasks: string[], base: string) {
    if (spec === 'rules') return classifyWithRules;
    if ('model_file' in spec) return loadClassifier(spec.model_file, `${base}.classifier.model_file`);
    const classify = modelClassifier({
      model: chatModel(spec.model, `${base}.classifier.model`),
      tasks,
      timeoutMs: spec.timeout_ms,
      cacheSize: spec.cache_size,
      fallback: classifyWithRules,
    });
    return async (_request: unknown, context: Parameters<typeof classify>[0], runtime: Parameters<typeof classify>[1]) => {
      const decision = await classify(context, runtime);
      return { ...decision, by: decision.by === 'model' ? spec.model : decision.by };
    };
  }

  function route(name: string, path = `routes.${name}`): RouteNode {
    const existing = built.get(name);
    if (existing) return existing;
    if (building.has(name)) throw configError(`${path}: route '${name}' refers back to itself`);
    building.add(name);
    const spec = specs.get(name)!;
    const base = `routes.${name}`;
    let node: RouteNode;
    switch (spec.strategy) {
      case 'map':
      case 'classify': {
        const tasks = new Map(Object.entries(spec.tasks).map(([task, to]) => [task, target(to, `${base}.tasks.${task}`)]));
        node = taskRoute({
          route: name,
          strategy: spec.strategy,
          tasks,
          fallback: target(spec.default, `${base}.default`),
          complex: spec.complex ? { threshold: spec.complex.threshold, node: target(spec.complex.target, `${base}.complex.target`) } : undefined,
          classify: classifierOf(spec.classifier, Object.keys(spec.tasks), base),
          fitCheck: spec.fit_check,
        });
        break;
      }
      case 'cascade': {
        const checkModels = new Map<string, ModelEntry>();
        spec.checks.forEach((check, index) => {
          if (typeof check === 'object' && 'judge' in check) checkModels.set(check.judge.model, chatModel(check.judge.model, `${base}.checks[${index}].judge.model`));
          if (typeof check === 'object' && 'agree' in check) checkModels.set(check.agree.model, chatModel(check.agree.model, `${base}.checks[${index}].agree.model`));
        });
        node = cascadeRoute({ route: name, tiers: spec.tiers.map((to, index) => target(to, `${base}.tiers[${index}]`)), checks: spec.checks, checkModels, streamFirstTier: spec.stream_first_tier });
        break;
      }
      case 'fallback':
        node = fallbackRoute({ route: name, chain: spec.chain.map((to, index) => target(to, `${base}.chain[${index}]`)), retries: spec.retries, timeouts: spec.timeouts, hedge: spec.hedge });
        break;
      case 'loadbalance':
        node = loadBalanceRoute(
          {
            route: name,
            policy: spec.policy,
            deployments: spec.deployments.map((deployment, index) => ({ node: models.get(chatModel(deployment.model, `${base}.deployments[${index}].model`).name)!, weight: deployment.weight, rpm: deployment.rpm, tpm: deployment.tpm })),
            retries: spec.retries,
            timeouts: spec.timeouts,
            hedge: spec.hedge,
            prefixAffinity: spec.prefix_affinity ? { chars: spec.prefix_affinity.min_tokens * 4 } : undefined,
            defaultMaxTokens: config.spendControl.defaultMaxTokens,
          },
        );
        break;
    }
    building.delete(name);
    const named = namedRoute(name, node, spec.fit_check);
    built.set(name, named);
    return named;
  }

  for (const name of specs.keys()) route(name);
  return { routes: built, models };
}

/** Puts the route's name on the decision path and passes its fit-check setting down. */
function namedRoute(name: string, node: RouteNode, fitCheck: boolean): RouteNode {
  return {
    name,
    models: () => node.models(),
    run(context, runtime, attempt = {}) {
      context.routeTrace.push(name);
      return node.run(context, runtime, { ...attempt, fitCheck });
    },
  };
}

/**
 * Why a route cannot use `name`: an embedding model is not a chat model, but a name nothing defines is a typo or a
 * missing `models:` entry, and saying "not a chat model" of it sent users looking for the wrong mistake.
 */
function notChat(config: GatewayConfig, name: string, candidates: Iterable<string>, what: 'model' | 'model or route'): string {
  const model = config.models.get(name);
  if (model) return `'${name}' is not a chat model (it is an ${model.type} model; a route needs a chat model)`;
  const catalog = BUILTIN_CATALOG.find((entry) => entry.name === name);
  if (catalog) return `'${name}' is a built-in catalog model, but its provider '${catalog.provider}' is not configured: add providers.${catalog.provider}, or define '${name}' under models: with a provider you have`;
  const nearest = nearestNames(name, candidates);
  const hint = nearest.length > 0 ? ` (nearest: ${nearest.join(', ')})` : '';
  return `no ${what} named '${name}' is defined${hint}; models are defined under models:, or come from the built-in catalog when their provider is configured (frugal models lists them)`;
}

function loadClassifier(file: string, path: string) {
  try {
    return loadTrainedClassifier(file);
  } catch (error) {
    throw configError(`${path}: cannot load '${file}': ${(error as Error).message}`);
  }
}
