import type { GatewayConfig } from '../config/gateway-config.js';
import { ERROR_CODES } from '../errors/error-codes.js';
import type { LedgerStatus } from '../ledger/ledger-row.js';
import { TASKS } from '../routing/classifier/rule-classifier.js';
import { deploymentKey } from '../routing/strategies/model-node.js';

/** The value every label takes when the real one is not in its bounded set. */
export const OTHER_LABEL = 'other';

/** What the labels may name: the configured models, routes and providers (the config is frozen, so is this). */
export type MetricLabelSource = Pick<GatewayConfig, 'models' | 'providers' | 'routes'>;

/**
 * Maps event fields to label values drawn from bounded sets. Each series costs memory and scrape time for
 * as long as the process lives, so a value a client can choose (a model name, a task header) must never
 * become a label: 20 000 requests for made-up models once grew /metrics to 360 000 series, and a virtual key
 * pasted into `model` was published to whoever could scrape.
 */
export interface MetricLabels {
  /** A configured model or route name, else `other`. */
  model(name: string | null | undefined): string;
  route(name: string | null | undefined): string;
  /** A configured provider; `none` when no provider was reached (the request failed before routing). */
  provider(name: string | null | undefined): string;
  status(status: LedgerStatus | string): string;
  /** An error code of the catalog, else `other`. */
  code(code: string): string;
  task(task: string | null | undefined): string;
  deployment(key: string): string;
  /** Values our own code produces (check names, skip reasons): capped as a backstop, never trusted blindly. */
  reason(reason: string): string;
}

// Values Frugal's own code produces are few; if a bug ever passes free text, this many is where it stops.
const MAX_INTERNAL_VALUES = 64;

const STATUSES: ReadonlySet<string> = new Set<LedgerStatus>(['ok', 'error', 'client_aborted']);
const CODES: ReadonlySet<string> = new Set(Object.keys(ERROR_CODES));

/**
 * The label vocabulary of one gateway. Without a config (a registry built outside a server) every name
 * label is `other`: the safe default, since nothing then says which names are not client input.
 *
 * @example
 * const labels = createMetricLabels(gateway.config);
 * labels.model('sk-frugal-pasted-key'); // 'other'
 */
export function createMetricLabels(config: MetricLabelSource | undefined): MetricLabels {
  const models = new Set(config ? config.models.keys() : []);
  // 'auto' is the built-in route a config without one gets; a fixed name, so always allowed.
  const routes = new Set(config ? ['auto', ...Object.keys(config.routes)] : []);
  const providers = new Set(config ? config.providers.keys() : []);
  const deployments = new Set(config ? [...config.models.values()].map(deploymentKey) : []);
  const tasks = new Set<string>(['none', ...TASKS, ...(config ? configuredTasks(config.routes) : [])]);
  const internal = new Set<string>();

  const among = (allowed: ReadonlySet<string>, value: string | null | undefined) => (value != null && allowed.has(value) ? value : OTHER_LABEL);
  return {
    model: (name) => (name != null && (models.has(name) || routes.has(name)) ? name : OTHER_LABEL),
    route: (name) => (name != null && (routes.has(name) || models.has(name)) ? name : OTHER_LABEL),
    provider: (name) => (name == null ? 'none' : among(providers, name)),
    status: (status) => among(STATUSES, status),
    code: (code) => among(CODES, code),
    task: (task) => among(tasks, task ?? 'none'),
    deployment: (key) => among(deployments, key),
    reason(reason) {
      if (internal.has(reason)) return reason;
      if (internal.size >= MAX_INTERNAL_VALUES || reason.length > 64) return OTHER_LABEL;
      internal.add(reason);
      return reason;
    },
  };
}

/** Task names the configured map/classify routes route on (a trained classifier may add its own). */
function configuredTasks(routes: Readonly<Record<string, unknown>>): string[] {
  const names: string[] = [];
  for (const route of Object.values(routes)) {
    const tasks = (route as { tasks?: unknown } | null)?.tasks;
    if (tasks !== null && typeof tasks === 'object') names.push(...Object.keys(tasks));
  }
  return names;
}
