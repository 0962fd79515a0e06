import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load-config.js';
import { buildRouteTable } from './build-route-table.js';
import { parseRouteSpec } from './parse-route-spec.js';

/** What start-up (and a reload, which builds the same table) says of a route's settings: path, what was given, what is expected. */
function refusal(route: unknown): string {
  try {
    buildRouteTable(validateConfig({ providers: { sim: { kind: 'simulated' } }, models: [{ name: 'm1', provider: 'sim', price: { input: 1, output: 1 } }], routes: { fast: route } }, { env: {}, catalogOverride: [] }));
  } catch (error) {
    expect(error).toMatchObject({ code: 'config_invalid' });
    return (error as Error).message;
  }
  throw new Error('expected the route to be refused');
}

describe('a route setting start-up refuses', () => {
  it('is named by its path, with what was given and what is expected, never in zod’s words', () => {
    const cases: Array<[unknown, string]> = [
      [{ strategy: 'cheapest', chain: ['m1'] }, "routes.fast.strategy: 'cheapest' is not a strategy; expected one of map, classify, cascade, fallback, loadbalance"],
      [{ chain: ['m1'] }, 'routes.fast.strategy: missing; expected one of map, classify, cascade, fallback, loadbalance'],
      ['m1', "routes.fast: got 'm1'; expected a map with strategy: one of map, classify, cascade, fallback, loadbalance, such as { strategy: fallback, chain: [m1] }"],
      [{ strategy: 'fallback', chain: ['m1'], retries: { attempts: 'three' } }, "routes.fast.retries.attempts: got 'three'; expected a whole number from 1 to 10"],
      [{ strategy: 'loadbalance', deployments: [{ model: 'm1', rpm: '600' }] }, "routes.fast.deployments[0].rpm: got '600'; expected a whole number above 0"],
      [{ strategy: 'loadbalance', policy: 'fastest', deployments: [{ model: 'm1' }] }, "routes.fast.policy: 'fastest' is not a policy; expected one of weighted, least_in_flight, lowest_latency"],
      [{ strategy: 'cascade', tiers: ['m1'] }, 'routes.fast.tiers: got a list of 1; expected a list of model or route names, at least 2'],
      [{ strategy: 'fallback', chain: 'm1' }, "routes.fast.chain: got 'm1'; expected a list of model or route names, at least 1"],
      [{ strategy: 'fallback' }, 'routes.fast.chain: missing; expected a list of model or route names, at least 1'],
      [{ strategy: 'fallback', chain: ['m1'], retries: { atempts: 3 } }, 'routes.fast.retries.atempts: unknown key; expected one of attempts, base_ms, max_ms'],
      [{ strategy: 'fallback', chain: ['m1'], hedge: { after: 'p99' } }, "routes.fast.hedge.after: got 'p99'; expected p95 or a whole number above 0"],
      [{ strategy: 'cascade', tiers: ['m1', 'm1'], checks: [{ judge: { model: 'm1', min: 2 } }] }, 'routes.fast.checks[0].judge.min: got 2; expected a number from 0 to 1'],
      [{ strategy: 'fallback', chain: ['m1'], max_cost_usd: -1 }, 'routes.fast.max_cost_usd: got -1; expected a positive amount of USD with at most 9 decimals'],
      [{ strategy: 'map', tasks: { code: 5 }, default: 'm1' }, 'routes.fast.tasks.code: got 5; expected a model or route name'],
      [{ strategy: 'map', tasks: {}, default: 'm1', classifier: 'llm' }, "routes.fast.classifier: 'llm' is not a classifier; expected rules or { model_file } or { model, timeout_ms?, cache_size? }"],
    ];
    for (const [route, message] of cases) expect(refusal(route)).toBe(`Invalid config: ${message}`);
  });

  it('names an unknown key of a route with the keys its strategy takes', () => {
    expect(refusal({ strategy: 'fallback', chain: ['m1'], tiers: ['m1'] })).toBe(
      'Invalid config: routes.fast.tiers: unknown key; expected one of strategy, fit_check, max_cost_usd, baseline_model, priority, batching, chain, retries, timeouts, hedge',
    );
  });

  it('lists the checks when a check is misspelt', () => {
    const message = refusal({ strategy: 'cascade', tiers: ['m1', 'm1'], checks: ['aritmetic'] });
    expect(message).toMatch(/^Invalid config: routes\.fast\.checks\[0\]: 'aritmetic' is not a check; expected one of non_empty, .*arithmetic.* or \{ judge: \{ model, min, prompt\? \} \}/);
  });

  it('is the same error for the offline tools that read routes (router eval --route)', () => {
    expect(() => parseRouteSpec('fast', { strategy: 'cheapest' })).toThrow("Invalid config: routes.fast.strategy: 'cheapest' is not a strategy; expected one of map, classify, cascade, fallback, loadbalance");
  });
});
