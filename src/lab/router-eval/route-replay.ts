import { FrugalError } from '../../errors/frugal-error.js';
import type { ChatRequest, ChatResponse } from '../../wire/chat-types.js';
import { answersAgree, runLocalCheck } from '../../routing/checks/quality-checks.js';
import { userPrompt } from '../../routing/classifier/prompt-features.js';
import { classifyWithRules, loadTrainedClassifier } from '../../routing/classify-request.js';
import type { CheckSpec, RouteSpec } from '../../routing/route-schema.js';
import type { TaskDecision } from '../../routing/strategies/task-route.js';
import { DEFAULT_STRONG_MODEL, costLookup, type CostLookup, type RoutingDataset } from './routing-dataset.js';

/**
 * A configured route replayed over a routing outcomes file, offline: the same classifier, task map,
 * complexity threshold and cascade checks as the gateway's route nodes, with every model's answer, correctness
 * and cost looked up from the file instead of called. Cascade checks run on the recorded answers; an `agree`
 * check reads the other model's recorded answer and pays its recorded cost. Upstreams are healthy offline, so a
 * fallback chain serves from its first model and a load balancer from its first deployment.
 */

export interface RouteReplayOptions {
  /** Every route of the config, by name (targets that are not routes are models). */
  routes: ReadonlyMap<string, RouteSpec>;
  route: string;
  /** A route's model name → the file's model name (`--as qwen3-8b=mistralai/Mixtral-8x7B-Instruct-v0.1`). */
  aliases?: ReadonlyMap<string, string>;
  /** The reference for "cost cut" and "quality vs strong" (default gpt-4-1106-preview). */
  strong?: string;
  qualityShare?: number;
  /**
   * A route's decision for a row, instead of its configured classifier: how a benchmark replays a router
   * cross-validated on the file itself (each row decided by a model that never saw it).
   */
  decide?: (route: string, row: number) => TaskDecision | undefined;
}

export interface ReplayPoint {
  /** The route's complexity threshold at this point; null = as configured (no sweep). */
  threshold: number | null;
  quality: number;
  cost: number;
  costCut: number;
  /** Share of prompts on which the strong model was called (served, escalated to, or both). */
  strongCallShare: number;
  /** Share of prompts on which a cascade escalated at least once. */
  escalationRate: number;
}

export interface RouteReplayReport {
  route: string;
  prompts: number;
  strong: string;
  strongQuality: number;
  strongCost: number;
  costUnit: string;
  qualityShare: number;
  /** The route as configured. */
  configured: ReplayPoint;
  /** Decision paths as the ledger writes them, most frequent first, with their mean quality. */
  paths: Array<{ path: string; prompts: number; quality: number }>;
  /** When the route has `complex:`, its threshold swept over the file (the cost–quality curve), else empty. */
  sweep: ReplayPoint[];
  /** The cheapest point of the sweep (or the configured route) reaching qualityShare × strong quality. */
  atTarget: ReplayPoint | null;
  assumptions: string[];
}

interface Served {
  model: string;
  quality: number;
  cost: number;
  strongCalled: boolean;
  escalated: boolean;
  trace: string[];
}

const SWEEP_POINTS = 40;

/**
 * @example
 * const report = replayRoute(dataset, { routes, route: 'support', aliases: new Map([['cheap', 'mistralai/mixtral-8x7b-chat']]) });
 * report.configured.costCut; report.atTarget?.quality;
 */
export function replayRoute(dataset: RoutingDataset, options: RouteReplayOptions): RouteReplayReport {
  const top = options.routes.get(options.route);
  if (top === undefined) throw new FrugalError('invalid_request', `no route named '${options.route}' (routes: ${[...options.routes.keys()].join(', ') || 'none'})`, { param: 'route' });
  const strong = options.strong ?? DEFAULT_STRONG_MODEL;
  if (!dataset.models.includes(strong)) throw new FrugalError('invalid_request', `strong model "${strong}" is not in the data (models: ${dataset.models.join(', ')})`, { param: 'strong' });
  const qualityShare = options.qualityShare ?? 0.95;
  const costs = costLookup(dataset, { strong });
  const assumptions = new Set<string>(costs.assumptions);
  const replay = compileReplay(dataset, options, costs, strong, assumptions);

  let strongQuality = 0;
  let strongCost = 0;
  dataset.rows.forEach((row, index) => {
    strongQuality += row.quality[strong];
    strongCost += costs.cost(index, strong);
  });
  strongQuality /= dataset.rows.length;

  const measure = (threshold: number | null, collectPaths?: Map<string, { prompts: number; quality: number }>): ReplayPoint => {
    let quality = 0;
    let cost = 0;
    let strongCalls = 0;
    let escalations = 0;
    for (let index = 0; index < dataset.rows.length; index += 1) {
      const served = replay(index, threshold);
      quality += served.quality;
      cost += served.cost;
      if (served.strongCalled) strongCalls += 1;
      if (served.escalated) escalations += 1;
      if (collectPaths) {
        const path = [...served.trace, served.model].join('>');
        const entry = collectPaths.get(path) ?? { prompts: 0, quality: 0 };
        entry.prompts += 1;
        entry.quality += served.quality;
        collectPaths.set(path, entry);
      }
    }
    const prompts = dataset.rows.length;
    return { threshold, quality: quality / prompts, cost, costCut: 1 - cost / strongCost, strongCallShare: strongCalls / prompts, escalationRate: escalations / prompts };
  };

  const paths = new Map<string, { prompts: number; quality: number }>();
  const configured = measure(null, paths);
  const sweep = sweepThresholds(top, dataset, options.route, replay.complexity).map((threshold) => measure(threshold));
  const target = qualityShare * strongQuality - 1e-12;
  const atTarget = [configured, ...sweep].filter((point) => point.quality >= target).sort((a, b) => a.cost - b.cost)[0] ?? null;
  return {
    route: options.route,
    prompts: dataset.rows.length,
    strong,
    strongQuality,
    strongCost,
    costUnit: costs.costUnit,
    qualityShare,
    configured,
    paths: [...paths.entries()]
      .map(([path, entry]) => ({ path, prompts: entry.prompts, quality: entry.quality / entry.prompts }))
      .sort((a, b) => b.prompts - a.prompts || a.path.localeCompare(b.path)),
    sweep,
    atTarget,
    assumptions: [...assumptions],
  };
}

/** Thresholds at the quantiles of the route's own complexity scores, plus one above them all ("never complex"). */
function sweepThresholds(spec: RouteSpec, dataset: RoutingDataset, route: string, complexity: (route: string, row: number) => number): number[] {
  if ((spec.strategy !== 'map' && spec.strategy !== 'classify') || spec.complex === undefined) return [];
  const scores = dataset.rows.map((_row, index) => complexity(route, index)).sort((a, b) => a - b);
  const thresholds = new Set<number>();
  for (let step = 0; step < SWEEP_POINTS; step += 1) thresholds.add(scores[Math.floor((step / SWEEP_POINTS) * scores.length)]);
  thresholds.add(scores[scores.length - 1] + 1e-9);
  return [...thresholds].sort((a, b) => a - b);
}

type RowReplay = ((row: number, threshold: number | null) => Served) & { complexity: (route: string, row: number) => number };

function compileReplay(dataset: RoutingDataset, options: RouteReplayOptions, costs: CostLookup, strong: string, assumptions: Set<string>): RowReplay {
  const aliases = options.aliases ?? new Map<string, string>();
  const fileModel = (name: string): string => {
    const model = aliases.get(name) ?? name;
    if (!dataset.models.includes(model)) {
      throw new FrugalError('invalid_request', `route model '${name}' is not in the data; map it with --as ${name}=<model> (models: ${dataset.models.join(', ')})`, { param: 'as' });
    }
    return model;
  };
  const classifiers = new Map<string, (request: ChatRequest) => TaskDecision>();
  const decisions = new Map<string, TaskDecision>();
  const decide = (route: string, spec: Extract<RouteSpec, { tasks: unknown }>, row: number): TaskDecision => {
    const key = `${route}\u0000${row}`;
    let decision = decisions.get(key);
    if (decision === undefined) decision = options.decide?.(route, row);
    if (decision === undefined) {
      let classify = classifiers.get(route);
      if (classify === undefined) {
        // A model classifier cannot be replayed offline (no calls here): the rules it falls back to stand in.
        classify = spec.classifier === 'rules' || !('model_file' in spec.classifier) ? classifyWithRules : loadTrainedClassifier(spec.classifier.model_file);
        classifiers.set(route, classify);
      }
      decision = classify({ model: route, messages: userPrompt(dataset.rows[row].prompt) });
      decisions.set(key, decision);
    }
    return decision;
  };
  // Below the top route nothing depends on the swept threshold, so each (node, row) is replayed once.
  const memo = new Map<string, Served>();

  const response = (model: string, row: number): ChatResponse => {
    const text = dataset.rows[row].responses?.[model];
    if (text === undefined) {
      throw new FrugalError('invalid_request', `cascade checks need the answer '${model}' gave to ${dataset.rows[row].id}; the file records none (checks replay on files with responses)`);
    }
    return { id: dataset.rows[row].id, object: 'chat.completion', created: 0, model, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }] };
  };

  /** The tier's checks in order, up to the first that fails; what they called (an `agree` model) is paid either way. */
  const runChecks = (checks: readonly CheckSpec[], served: Served, row: number): { failed: string | undefined; cost: number; strongCalled: boolean } => {
    const answer = response(served.model, row);
    const request: ChatRequest = { model: served.model, messages: userPrompt(dataset.rows[row].prompt) };
    let cost = 0;
    let strongCalled = false;
    for (const check of checks) {
      if (typeof check === 'string') {
        if (check === 'finished') assumptions.add('finished: the file records no finish_reason; every recorded answer counts as finished');
        if (!runLocalCheck(check, request, answer).pass) return { failed: check, cost, strongCalled };
      } else if ('agree' in check) {
        const other = fileModel(check.agree.model);
        cost += costs.cost(row, other);
        strongCalled ||= other === strong;
        const text = (response(other, row).choices[0].message.content as string) ?? '';
        if (!answersAgree(answer.choices[0].message.content as string, text)) return { failed: 'agree', cost, strongCalled };
      } else if ('judge' in check) {
        assumptions.add('judge: not replayable offline (needs a model call); judged answers count as passing');
      } else {
        assumptions.add('logprob: the file records no logprobs; the check passes, as it does live when a provider returns none');
      }
    }
    return { failed: undefined, cost, strongCalled };
  };

  function resolve(name: string, row: number, top: string, threshold: number | null): Served {
    const spec = options.routes.get(name);
    if (spec === undefined) {
      const model = fileModel(name);
      return { model, quality: dataset.rows[row].quality[model], cost: costs.cost(row, model), strongCalled: model === strong, escalated: false, trace: [] };
    }
    const key = `${name}\u0000${row}`;
    if (name !== top) {
      const known = memo.get(key);
      if (known) return known;
    }
    const served = resolveRoute(name, spec, row, top, threshold);
    const named = { ...served, trace: [name, ...served.trace] };
    if (name !== top) memo.set(key, named);
    return named;
  }

  function resolveRoute(name: string, spec: RouteSpec, row: number, top: string, threshold: number | null): Served {
    switch (spec.strategy) {
      case 'map':
      case 'classify': {
        const decision = decide(name, spec, row);
        let target = spec.tasks[decision.task] ?? spec.default;
        let segment = `${spec.strategy}:${decision.task}`;
        const bar = name === top && threshold !== null ? threshold : spec.complex?.threshold;
        if (spec.complex && bar !== undefined && decision.complexity >= bar) {
          target = spec.complex.target;
          segment += `(complex:${decision.complexity.toFixed(2)})`;
        }
        const served = resolve(target, row, top, threshold);
        return { ...served, trace: [segment, ...served.trace] };
      }
      case 'cascade': {
        let cost = 0;
        let strongCalled = false;
        const failures: string[] = [];
        for (let index = 0; index < spec.tiers.length; index += 1) {
          const served = resolve(spec.tiers[index], row, top, threshold);
          cost += served.cost;
          strongCalled ||= served.strongCalled;
          if (index < spec.tiers.length - 1) {
            const checked = runChecks(spec.checks, served, row);
            cost += checked.cost;
            strongCalled ||= checked.strongCalled;
            if (checked.failed !== undefined) {
              failures.push(`${spec.tiers[index]}(fail:${checked.failed})`);
              continue;
            }
          }
          return {
            ...served,
            cost,
            strongCalled,
            escalated: failures.length > 0 || served.escalated,
            trace: [failures.length > 0 ? `cascade:${failures.join(',')}` : 'cascade', ...served.trace],
          };
        }
        throw new FrugalError('internal_error', `cascade '${name}' has no tiers`);
      }
      case 'fallback': {
        const served = resolve(spec.chain[0], row, top, threshold);
        return { ...served, trace: ['fallback', ...served.trace] };
      }
      case 'loadbalance': {
        const served = resolve(spec.deployments[0].model, row, top, threshold);
        return { ...served, trace: ['loadbalance', ...served.trace] };
      }
    }
  }

  const replay = ((row: number, threshold: number | null) => resolve(options.route, row, options.route, threshold)) as RowReplay;
  replay.complexity = (route, row) => {
    const spec = options.routes.get(route)!;
    return spec.strategy === 'map' || spec.strategy === 'classify' ? decide(route, spec, row).complexity : 0;
  };
  return replay;
}
