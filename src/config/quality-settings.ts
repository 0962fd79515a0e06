import { parseUsdNanos } from '../catalog/pricing.js';
import { FrugalError } from '../errors/frugal-error.js';
import type { RawExperiments, RawQuality } from './quality-schema.js';

export type JudgeSettings =
  | { mode: 'rubric'; model: string; rubric: string; sample: number }
  | { mode: 'pairwise'; model: string; referenceModel: string; sample: number };

/** quality.routes.<name>: what is sampled, how it is kept, and who grades it. */
export interface RouteQualitySettings {
  sample: number;
  storeBodies: boolean;
  /** Compiled once at start-up (global flag): the request path never compiles a pattern. */
  redact: readonly RegExp[];
  retentionMs: number;
  judge: JudgeSettings | undefined;
}

export interface QualityAlertSettings {
  everyMs: number;
  windowMs: number;
  baselineMs: number;
  minScored: number;
  /** Two-sided confidence level of the interval a shift must leave (0.9, 0.95, 0.99, 0.999). */
  confidence: number;
}

export interface QualitySettings {
  /** Quality overhead (judge, reference, shadow calls) per UTC day; undefined when nothing spends. */
  budgetNanosPerDay: number | undefined;
  seed: number;
  queueSize: number;
  concurrency: number;
  /** By route or model name. */
  routes: ReadonlyMap<string, RouteQualitySettings>;
  alerts: QualityAlertSettings | undefined;
}

export type StickyBy = { kind: 'user' | 'key' | 'request' } | { kind: 'tag'; tag: string };

export interface ExperimentArm {
  name: string;
  model: string;
  /** The arm's share in basis points of 10 000; arms' shares add up to 10 000. */
  basisPoints: number;
}

export interface ExperimentSettings {
  name: string;
  route: string;
  arms: readonly ExperimentArm[];
  sticky: StickyBy;
  startMs: number;
  endMs: number | undefined;
  shadow: { name: string; model: string; sample: number; judgeModel: string | undefined } | undefined;
}

function invalid(message: string): FrugalError {
  return new FrugalError('config_invalid', `Invalid config: ${message}`);
}

export interface NameCheck {
  /** True when `name` is a configured or catalog model, or a route. */
  known(name: string): boolean;
  describe(): string;
}

function checkName(names: NameCheck, name: string, path: string) {
  if (!names.known(name)) throw invalid(`${path}: unknown model or route '${name}' (${names.describe()})`);
}

function compile(pattern: string, path: string): RegExp {
  try {
    return new RegExp(pattern, 'g');
  } catch (error) {
    throw invalid(`${path}: not a valid regular expression (${(error as Error).message})`);
  }
}

/** `quality:` validated against the configured names, patterns compiled, money in nano-dollars. */
export function resolveQuality(raw: RawQuality | undefined, names: NameCheck): QualitySettings {
  const routes = new Map<string, RouteQualitySettings>();
  let spends = false;
  for (const [name, route] of Object.entries(raw?.routes ?? {})) {
    const path = `quality.routes.${name}`;
    checkName(names, name, path);
    let judge: JudgeSettings | undefined;
    if (route.judge) {
      const { model, rubric, reference_model: referenceModel, sample } = route.judge;
      checkName(names, model, `${path}.judge.model`);
      if ((rubric === undefined) === (referenceModel === undefined)) throw invalid(`${path}.judge: give exactly one of rubric or reference_model`);
      if (referenceModel !== undefined) checkName(names, referenceModel, `${path}.judge.reference_model`);
      judge = referenceModel !== undefined ? { mode: 'pairwise', model, referenceModel, sample } : { mode: 'rubric', model, rubric: rubric!, sample };
      spends = true;
    }
    routes.set(name, {
      sample: route.sample,
      storeBodies: route.store === 'bodies',
      redact: Object.freeze(route.redact.map((pattern, index) => compile(pattern, `${path}.redact[${index}]`))),
      retentionMs: route.retention_days * 86_400_000,
      judge,
    });
  }
  return Object.freeze({
    budgetNanosPerDay: budgetOf(raw, spends),
    seed: raw?.seed ?? 0,
    queueSize: raw?.queue_size ?? 1_000,
    concurrency: raw?.concurrency ?? 2,
    routes,
    alerts: raw?.alerts && {
      everyMs: Math.round(raw.alerts.every_minutes * 60_000),
      windowMs: Math.round(raw.alerts.window_hours * 3_600_000),
      baselineMs: Math.round(raw.alerts.baseline_days * 86_400_000),
      minScored: raw.alerts.min_scored,
      confidence: raw.alerts.confidence,
    },
  });
}

function budgetOf(raw: RawQuality | undefined, spends: boolean): number | undefined {
  if (raw?.budget_usd === undefined) {
    // Judges cost real money: they never run on an implicit budget.
    if (spends) throw invalid('quality.budget_usd: required when a judge is configured (what judges, reference answers and shadow arms may spend per UTC day)');
    return undefined;
  }
  const text = typeof raw.budget_usd === 'number' ? String(raw.budget_usd) : raw.budget_usd;
  const nanos = parseUsdNanos(text);
  if (nanos === undefined) throw invalid(`quality.budget_usd: a non-negative amount with at most 9 decimals, got '${text}'`);
  return nanos;
}

function timeOf(text: string, path: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw invalid(`${path}: not a date-time, got '${text}'`);
  return ms;
}

/** `experiments:` validated: known names, shares adding up to 100 %, one experiment per route, a budget for shadows. */
export function resolveExperiments(raw: RawExperiments | undefined, names: NameCheck, quality: QualitySettings): readonly ExperimentSettings[] {
  const experiments: ExperimentSettings[] = [];
  const routesTaken = new Map<string, string>();
  for (const [name, experiment] of Object.entries(raw ?? {})) {
    const path = `experiments.${name}`;
    checkName(names, experiment.route, `${path}.route`);
    const taken = routesTaken.get(experiment.route);
    if (taken !== undefined) throw invalid(`${path}.route: '${experiment.route}' is already split by experiment '${taken}' (one experiment per route)`);
    routesTaken.set(experiment.route, name);
    const entries = Object.entries(experiment.arms);
    if (entries.length < 1) throw invalid(`${path}.arms: at least one arm`);
    const arms = entries.map(([armName, arm]) => {
      checkName(names, arm.model, `${path}.arms.${armName}.model`);
      if (arm.model === experiment.route) throw invalid(`${path}.arms.${armName}.model: an arm cannot be the split route itself`);
      // Basis points: integer shares, so "split within 100 %" is exact, not a float sum.
      return { name: armName, model: arm.model, basisPoints: Math.round(arm.percent * 100) };
    });
    const total = arms.reduce((sum, arm) => sum + arm.basisPoints, 0);
    if (total !== 10_000) throw invalid(`${path}.arms: percents must add up to 100, got ${total / 100}`);
    const startMs = timeOf(experiment.start, `${path}.start`);
    const endMs = experiment.end === undefined ? undefined : timeOf(experiment.end, `${path}.end`);
    if (endMs !== undefined && endMs <= startMs) throw invalid(`${path}.end: must be after start`);
    let shadow: ExperimentSettings['shadow'];
    if (experiment.shadow) {
      checkName(names, experiment.shadow.model, `${path}.shadow.model`);
      if (experiment.shadow.judge_model !== undefined) checkName(names, experiment.shadow.judge_model, `${path}.shadow.judge_model`);
      if (arms.some((arm) => arm.name === experiment.shadow!.name)) throw invalid(`${path}.shadow.name: '${experiment.shadow.name}' is already an arm`);
      if (quality.budgetNanosPerDay === undefined) throw invalid(`quality.budget_usd: required when an experiment has a shadow arm (${path}.shadow)`);
      shadow = { name: experiment.shadow.name, model: experiment.shadow.model, sample: experiment.shadow.sample, judgeModel: experiment.shadow.judge_model };
    }
    const sticky: StickyBy = experiment.sticky.startsWith('tag:') ? { kind: 'tag', tag: experiment.sticky.slice(4) } : { kind: experiment.sticky as 'user' | 'key' | 'request' };
    experiments.push(Object.freeze({ name, route: experiment.route, arms: Object.freeze(arms), sticky, startMs, endMs, shadow }));
  }
  return Object.freeze(experiments);
}
