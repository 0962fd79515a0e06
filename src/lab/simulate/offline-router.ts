import type { GatewayConfig, ModelEntry } from '../../config/gateway-config.js';
import type { ChatRequest } from '../../wire/chat-types.js';
import { buildRouteTable } from '../../routing/build-route-table.js';
import { classifyWithRules, loadTrainedClassifier } from '../../routing/classify-request.js';
import { defaultAutoRoute } from '../../routing/default-auto-route.js';
import { type RequestNeeds, requestNeeds, type UnfitReason, unfitReason } from '../../request/fit-check.js';
import { routeSchema, type RouteSpec } from '../../routing/route-schema.js';
import { createSeededRandom } from '../../routing/seeded-random.js';
import { weightedOrder } from '../../routing/strategies/loadbalance-route.js';
import type { TaskDecision } from '../../routing/strategies/task-route.js';

export interface OfflineRouteDecision {
  /** The model the route would serve from; undefined when no model of the route can take the request. */
  model: ModelEntry | undefined;
  /** The decision path, as the ledger writes it ("auto>classify:code>deepseek-coder"). */
  trace: string;
}

export interface OfflineRouter {
  /** Route names (the built-in `auto` included when the config gets one). */
  readonly routes: readonly string[];
  route(request: ChatRequest, taskHint?: string): OfflineRouteDecision;
}

type Resolved = { model: ModelEntry } | { unfit: UnfitReason };

/**
 * The routing decision without calling a model: the same classifier, task map, complexity threshold and fit
 * checks as the gateway's route nodes. What needs an answer is assumed to go well: a cascade serves from its
 * first tier that fits (its checks pass), a fallback chain from its first model that fits (upstreams are
 * healthy), a load balancer from a weighted pick with a seeded random (latency policies are treated as weighted).
 *
 * @example
 * const router = createOfflineRouter(config);
 * router.route({ model: 'auto', messages }).model?.name; // 'qwen3-8b'
 */
export function createOfflineRouter(config: GatewayConfig, options: { seed?: number } = {}): OfflineRouter {
  // Same validation as start-up: a bad candidate config fails here with the path of the fault.
  buildRouteTable(config);
  const raw: Record<string, unknown> = { ...config.routes };
  if (raw.auto === undefined && !config.models.has('auto')) {
    const auto = defaultAutoRoute(config);
    if (auto) raw.auto = auto;
  }
  const specs = new Map<string, RouteSpec>(Object.entries(raw).map(([name, spec]) => [name, routeSchema.parse(spec)]));
  const classifiers = new Map<string, (request: ChatRequest) => TaskDecision>();
  for (const [name, spec] of specs) {
    if (spec.strategy === 'map' || spec.strategy === 'classify') {
      // A model classifier makes calls; offline, the rules it falls back to stand in.
      classifiers.set(name, spec.classifier === 'rules' || !('model_file' in spec.classifier) ? classifyWithRules : loadTrainedClassifier(spec.classifier.model_file));
    }
  }
  const random = createSeededRandom(options.seed ?? 1);

  return {
    routes: [...specs.keys()],
    route(request, taskHint) {
      const trace: string[] = [];
      let needs: RequestNeeds | undefined;
      const fits = (model: ModelEntry): UnfitReason | undefined => unfitReason(model, (needs ??= requestNeeds(request)));

      // Skipped targets are named in the path as the gateway names them: "cascade:small(fail:skip:context)".
      const firstFit = (targets: readonly string[], fitCheck: boolean, label: string): Resolved => {
        const at = trace.length;
        const failures: string[] = [];
        let last: Resolved = { unfit: 'context' };
        for (const target of targets) {
          last = resolve(target, fitCheck);
          if ('model' in last) {
            trace.splice(at, 0, failures.length > 0 ? `${label}:${failures.join(',')}` : label);
            return last;
          }
          trace.length = at;
          failures.push(`${target}(fail:skip:${last.unfit})`);
        }
        return last;
      };

      const resolve = (name: string, fitCheck: boolean): Resolved => {
        const spec = specs.get(name);
        if (spec === undefined) {
          const model = config.models.get(name)!;
          const reason = fitCheck ? fits(model) : undefined;
          return reason ? { unfit: reason } : { model };
        }
        trace.push(name);
        const inner = spec.fit_check;
        switch (spec.strategy) {
          case 'map':
          case 'classify': {
            const declared = spec.strategy === 'map' && taskHint !== undefined && spec.tasks[taskHint] !== undefined ? taskHint : undefined;
            const decision = declared ? { task: declared, complexity: 0 } : classifiers.get(name)!(request);
            let target = spec.tasks[decision.task] ?? spec.default;
            let segment = `${spec.strategy}:${decision.task}`;
            if (!declared && spec.complex && decision.complexity >= spec.complex.threshold) {
              target = spec.complex.target;
              segment += `(complex:${decision.complexity.toFixed(2)})`;
            }
            const at = trace.push(segment);
            const resolved = resolve(target, inner);
            if (!('unfit' in resolved) || target === spec.default) return resolved;
            trace.length = at;
            trace[at - 1] = `${segment}(unfit:${resolved.unfit})`;
            trace.push('default');
            return resolve(spec.default, inner);
          }
          case 'cascade':
            return firstFit(spec.tiers, inner, 'cascade');
          case 'fallback':
            return firstFit(spec.chain, inner, 'fallback');
          case 'loadbalance':
            return firstFit(weightedOrder(spec.deployments, random).map((deployment) => deployment.model), inner, 'loadbalance');
        }
      };

      if (!specs.has(request.model) && config.models.get(request.model)?.type !== 'chat') return { model: undefined, trace: `unknown:${request.model}` };
      const resolved = resolve(request.model, false);
      if ('unfit' in resolved) return { model: undefined, trace: [...trace, `unfit:${resolved.unfit}`].join('>') };
      return { model: resolved.model, trace: [...trace, resolved.model.name].join('>') };
    },
  };
}
