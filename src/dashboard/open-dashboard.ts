import type { GatewayConfig } from '../config/gateway-config.js';
import type { FeedbackStore } from '../feedback/feedback-store.js';
import type { KeyStore } from '../keys/key-store.js';
import { openLedgerSqlClient } from '../experiments/experiment-stats.js';
import { openLedgerReader } from '../ledger/open-ledger-reader.js';
import { openSampleStore } from '../quality/open-sample-store.js';
import { followCircuitStates } from './circuit-states.js';
import { defaultDashboardAssetsDir } from './dashboard-assets.js';
import { WORKER_SESSION_SECRET_ENV } from './dashboard-session.js';
import { followRecentAlerts } from './recent-alerts.js';
import type { DashboardOptions } from './register-dashboard.js';

/**
 * The dashboard's sources for `frugal serve`: a reader of the configured ledger (its own connection), the key and
 * feedback stores beside it, the budgets, key limits and experiments of the config in force (`current`: the live
 * gateway's, so a reload shows on the next page), and the circuit-breaker states from now on.
 *
 * @example
 * const dashboard = openDashboard(config, { keys: keyStore, feedback: feedbackStore, current: () => gateway.config }); // after the ledger's migrate()
 * createServer({ …, dashboard: dashboard.options });
 */
type DashboardConfig = Pick<GatewayConfig, 'ledger' | 'spendControl'> & Partial<Pick<GatewayConfig, 'experiments'>>;

export function openDashboard(config: DashboardConfig, { keys, feedback, current = () => config }: { keys?: KeyStore; feedback?: FeedbackStore; current?: () => DashboardConfig }) {
  const reader = openLedgerReader({ databaseUrl: config.ledger.databaseUrl, dataDir: config.ledger.dataDir });
  const circuits = followCircuitStates();
  const alerts = followRecentAlerts();
  const where = { databaseUrl: config.ledger.databaseUrl, dataDir: config.ledger.dataDir };
  // Experiments and the review queue read the ledger's database as `frugal report --experiment` and `frugal review` do.
  const ledgerSql = openLedgerSqlClient(where);
  const samples = openSampleStore(where);
  const options: Omit<DashboardOptions, 'masterKey' | 'sessionSecret' | 'authenticator' | 'demoMode'> = {
    reader,
    keys,
    feedback,
    budgets: () => current().spendControl.budgets,
    defaultKeyLimits: () => current().spendControl.defaultKeyLimits,
    circuits,
    alerts,
    ledgerSql,
    samples,
    experimentNames: () => (current().experiments ?? []).map((experiment) => experiment.name),
    now: Date.now,
    assetsDir: defaultDashboardAssetsDir(),
    // Under `frugal serve --workers N`: the secret the primary handed every worker, so any of them accepts a session.
    inheritedSessionSecret: process.env[WORKER_SESSION_SECRET_ENV],
  };
  return {
    options,
    async close() {
      circuits.close();
      alerts.close();
      await Promise.allSettled([reader.close(), ledgerSql.close(), samples.close()]);
    },
  };
}
