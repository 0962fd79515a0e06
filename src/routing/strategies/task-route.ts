import { FrugalError } from '../../errors/frugal-error.js';
import type { RequestContext } from '../../request/request-context.js';
import type { ChatRequest } from '../../wire/chat-types.js';
import type { RouteNode, RouteRuntime } from '../route-node.js';

export interface TaskDecision {
  task: string;
  /** 0 = any model will do, 1 = needs the strongest. */
  complexity: number;
}

export interface TaskRouteOptions {
  route: string;
  strategy: 'map' | 'classify';
  tasks: ReadonlyMap<string, RouteNode>;
  fallback: RouteNode;
  complex: { threshold: number; node: RouteNode } | undefined;
  /** Rules and trained models answer at once; a model classifier calls a model (`by` says who decided). */
  classify: (request: ChatRequest, context: RequestContext, runtime: RouteRuntime) => TaskDecision | Promise<TaskDecision & { by?: string }>;
  fitCheck: boolean;
}

/**
 * Task → model. `map` takes the task the caller declares (x-frugal-task) and asks the classifier only when
 * there is none; `classify` always asks the classifier. Unknown tasks go to `default`; prompts at or above the
 * complexity threshold go to the `complex` target; a target that can't take the request falls to `default`.
 */
export function taskRoute(options: TaskRouteOptions): RouteNode {
  return {
    name: options.route,
    models: () => [...options.tasks.values(), options.fallback, ...(options.complex ? [options.complex.node] : [])].flatMap((node) => node.models()),
    async run(context, runtime, attempt = {}) {
      const declared = options.strategy === 'map' && context.taskHint && options.tasks.has(context.taskHint) ? context.taskHint : undefined;
      const decision: TaskDecision & { by?: string } = declared ? { task: declared, complexity: 0 } : await options.classify(context.request, context, runtime);
      let node = options.tasks.get(decision.task) ?? options.fallback;
      let segment = `${options.strategy}:${decision.task}${decision.by === undefined ? '' : `(by:${decision.by})`}`;
      if (!declared && options.complex && decision.complexity >= options.complex.threshold) {
        node = options.complex.node;
        segment += `(complex:${decision.complexity.toFixed(2)})`;
      }
      const at = context.routeTrace.length;
      context.routeTrace.push(segment);
      // The outermost decision names the task; a task route nested under another only picks the model.
      context.task ??= decision.task;
      try {
        return await node.run(context, runtime, { ...attempt, fitCheck: options.fitCheck });
      } catch (error) {
        const unfit = error instanceof FrugalError && error.upstreamCode?.startsWith('unfit:');
        if (!unfit || node === options.fallback) throw error;
        context.routeTrace.length = at;
        context.routeTrace.push(`${segment}(${error.upstreamCode})`, 'default');
        return options.fallback.run(context, runtime, { ...attempt, fitCheck: options.fitCheck });
      }
    },
  };
}
