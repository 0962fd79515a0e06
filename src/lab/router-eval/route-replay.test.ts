import { describe, expect, it } from 'vitest';
import { parseRoutes } from './read-route-config.js';
import { replayRoute } from './route-replay.js';
import { parseRoutingDataset } from './routing-dataset.js';

// Four prompts, three models with recorded answers and real costs (RouterBench's format).
const rows = [
  { prompt: 'What is 2 + 2?', cheap: ['#### 4', 1], voter: ['4', 1], strong: ['4', 1] },
  { prompt: 'What is 3 x 5?', cheap: ['3 x 5 = 16\n#### 16', 0], voter: ['#### 15', 1], strong: ['#### 15', 1] },
  { prompt: 'Pick A or B.', cheap: ['B', 0], voter: ['A', 1], strong: ['A', 1] },
  { prompt: 'Write a python function that adds two numbers.\n```python\ndef add(a, b):\n```', cheap: ['def add(a, b): return a + b', 1], voter: ['x', 0], strong: ['y', 1] },
];
const cost = { cheap: 0.0001, voter: 0.0002, strong: 0.01 };
const text = rows
  .map((row, index) =>
    JSON.stringify({
      id: `r${index}`,
      prompt: row.prompt,
      models: Object.fromEntries((['cheap', 'voter', 'strong'] as const).map((model) => [model, { response: row[model][0], correct: row[model][1], cost_usd: cost[model] }])),
    }),
  )
  .join('\n');
const dataset = parseRoutingDataset(text, 'test.jsonl');

describe('replayRoute', () => {
  it('runs a cascade\'s checks on the recorded cheap answer and pays for every tier it tried', () => {
    const routes = parseRoutes({ math: { strategy: 'cascade', tiers: ['cheap', 'strong'], checks: ['answer_stated', 'arithmetic'] } }, 'test');
    const report = replayRoute(dataset, { routes, route: 'math', strong: 'strong' });
    const paths = Object.fromEntries(report.paths.map((path) => [path.path, path.prompts]));
    expect(paths).toEqual({
      'math>cascade>cheap': 2,
      'math>cascade:cheap(fail:arithmetic)>strong': 1,
      'math>cascade:cheap(fail:answer_stated)>strong': 1,
    });
    // Rows 0 and 2 served cheap (1 + 0), rows 1 and 3 escalated to strong (1 + 1).
    expect(report.configured.quality).toBe(3 / 4);
    const nanos = { cheap: 100_000, strong: 10_000_000 };
    expect(report.configured.cost).toBe(4 * nanos.cheap + 2 * nanos.strong);
    expect(report.configured.costCut).toBeCloseTo(1 - (4 * nanos.cheap + 2 * nanos.strong) / (4 * nanos.strong), 12);
    expect(report.configured.escalationRate).toBe(0.5);
  });

  it('replays agree against the other model\'s recorded answer and charges its cost whether or not it agrees', () => {
    const routes = parseRoutes({ voted: { strategy: 'cascade', tiers: ['cheap', 'strong'], checks: [{ agree: { model: 'voter' } }] } }, 'test');
    const report = replayRoute(dataset, { routes, route: 'voted', strong: 'strong' });
    const byPath = Object.fromEntries(report.paths.map((path) => [path.path, path.prompts]));
    // Row 0: both say 4. Row 3: neither states an answer and the texts differ, so they disagree.
    expect(byPath['voted>cascade>cheap']).toBe(1);
    expect(byPath['voted>cascade:cheap(fail:agree)>strong']).toBe(3);
    expect(report.configured.cost).toBe(4 * (100_000 + 200_000) + 3 * 10_000_000);
  });

  it('follows nested routes and a task map, and names a missing model with the way to map it', () => {
    const routes = parseRoutes(
      {
        auto: { strategy: 'classify', tasks: { code: 'coder' }, default: 'math' },
        math: { strategy: 'cascade', tiers: ['small', 'strong'], checks: ['answer_stated'] },
      },
      'test',
    );
    const aliases = new Map([
      ['coder', 'cheap'],
      ['small', 'cheap'],
    ]);
    const report = replayRoute(dataset, { routes, route: 'auto', strong: 'strong', aliases });
    expect(report.paths.find((path) => path.path.startsWith('auto>classify:code>'))?.path).toBe('auto>classify:code>cheap');
    expect(() => replayRoute(dataset, { routes, route: 'auto', strong: 'strong' })).toThrow(/--as small=/);
  });

  it('sweeps a complexity threshold into a curve and picks its cheapest point at the quality target', () => {
    const routes = parseRoutes({ auto: { strategy: 'classify', tasks: {}, default: 'cheap', complex: { threshold: 0.5, target: 'strong' } } }, 'test');
    // Complexity from a stand-in router: rows 1 and 2 (where cheap is wrong) score high.
    const scores = [0.1, 0.9, 0.8, 0.2];
    const report = replayRoute(dataset, { routes, route: 'auto', strong: 'strong', decide: (_route, row) => ({ task: 'chat', complexity: scores[row] }) });
    expect(report.sweep.length).toBeGreaterThan(2);
    expect(report.sweep.at(-1)!.strongCallShare).toBe(0);
    expect(report.atTarget?.quality).toBe(1);
    expect(report.atTarget?.strongCallShare).toBe(0.5);
  });

  it('says which row lacks the answer a check needs', () => {
    const outcomes = parseRoutingDataset(JSON.stringify({ id: 'q1', prompt: 'p', outcomes: { a: 1, b: 0 } }), 'o.jsonl');
    const routes = parseRoutes({ c: { strategy: 'cascade', tiers: ['b', 'a'], checks: ['non_empty'] } }, 'test');
    expect(() => replayRoute(outcomes, { routes, route: 'c', strong: 'a' })).toThrow(/'b' gave to q1/);
  });
});
