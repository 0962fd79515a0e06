import type { LedgerRow } from '../ledger/ledger-row.js';

export interface RouteRateRule {
  route: string;
  /** Share of a route's requests that escalated past the first cascade tier (0–1). */
  maxEscalationRate: number | undefined;
  /** Share of a route's requests that failed (0–1). */
  maxErrorRate: number | undefined;
  windowMs: number;
  /** Below this many requests in a window, rates are too noisy to alert on. */
  minRequests: number;
}

export interface RouteRateAlert {
  type: 'route_rate';
  route: string;
  metric: 'escalation_rate' | 'error_rate';
  rate: number;
  baseline: number;
  requests: number;
  windowStart: string;
  text: string;
}

interface Window {
  start: number;
  requests: number;
  errors: number;
  escalations: number;
}

/**
 * Watches each configured route's escalation and error rates over tumbling windows and raises an alert once per
 * window and metric when a rate passes its configured baseline. Fed ledger rows; sending is the caller's.
 */
export function createRouteRateMonitor(rules: readonly RouteRateRule[], send: (alert: RouteRateAlert, dedupeKey: string, untilMs: number) => void, now: () => number = Date.now) {
  const byRoute = new Map(rules.map((rule) => [rule.route, rule]));
  const windows = new Map<string, Window>();
  return {
    observe(row: LedgerRow): void {
      const route = row.routeTrace?.split('>')[0];
      const rule = route === undefined ? undefined : byRoute.get(route);
      if (!rule || route === undefined) return;
      const at = now();
      const start = at - (at % rule.windowMs);
      let window = windows.get(route);
      if (!window || window.start !== start) {
        window = { start, requests: 0, errors: 0, escalations: 0 };
        windows.set(route, window);
      }
      window.requests += 1;
      if (row.status === 'error') window.errors += 1;
      if (row.routeTrace?.includes('cascade:')) window.escalations += 1;
      if (window.requests < rule.minRequests) return;
      const check = (metric: RouteRateAlert['metric'], count: number, baseline: number | undefined) => {
        if (baseline === undefined) return;
        const rate = count / window!.requests;
        if (rate <= baseline) return;
        const windowStart = new Date(start).toISOString();
        send(
          { type: 'route_rate', route, metric, rate, baseline, requests: window!.requests, windowStart, text: `Route '${route}': ${metric.replace('_', ' ')} ${(rate * 100).toFixed(1)}% is above its ${(baseline * 100).toFixed(1)}% baseline (${window!.requests} requests since ${windowStart}).` },
          `route:${route}:${metric}:${start}`,
          start + rule.windowMs,
        );
      };
      check('escalation_rate', window.escalations, rule.maxEscalationRate);
      check('error_rate', window.errors, rule.maxErrorRate);
    },
  };
}
