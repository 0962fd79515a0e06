import type { GatewayConfig } from '../config/gateway-config.js';
import type { FeedbackStore } from '../feedback/feedback-store.js';
import type { KeyStore } from '../keys/key-store.js';
import { openLedgerReader } from '../ledger/open-ledger-reader.js';
import { followCircuitStates } from './circuit-states.js';
import { defaultDashboardAssetsDir } from './dashboard-assets.js';
import type { DashboardOptions } from './register-dashboard.js';

/**
 * The dashboard's sources for `frugal serve`: a reader of the configured ledger (its own connection), the key and
 * feedback stores beside it, the configured budgets, and the circuit-breaker states from now on.
 *
 * @example
 * const dashboard = openDashboard(config, { keys: keyStore, feedback: feedbackStore }); // after the ledger's migrate()
 * createServer({ …, dashboard: dashboard.options });
 */
export function openDashboard(config: Pick<GatewayConfig, 'ledger' | 'spendControl'>, { keys, feedback }: { keys?: KeyStore; feedback?: FeedbackStore }) {
  const reader = openLedgerReader({ databaseUrl: config.ledger.databaseUrl, dataDir: config.ledger.dataDir });
  const circuits = followCircuitStates();
  const options: Omit<DashboardOptions, 'masterKey' | 'authenticator' | 'demoMode'> = {
    reader,
    keys,
    feedback,
    budgets: config.spendControl.budgets,
    circuits,
    now: Date.now,
    assetsDir: defaultDashboardAssetsDir(),
  };
  return {
    options,
    async close() {
      circuits.close();
      await reader.close();
    },
  };
}
