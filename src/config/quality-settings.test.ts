import { describe, expect, it } from 'vitest';
import { validateConfig } from './load-config.js';

const base = {
  providers: { mock: { kind: 'openai', base_url: 'http://127.0.0.1:9/v1', api_key: 'sk-test-0123456789' } },
  models: [
    { name: 'm-a', provider: 'mock', price: { input: 1, output: 2 } },
    { name: 'm-b', provider: 'mock', price: { input: 1, output: 2 } },
  ],
};
const load = (extra: Record<string, unknown>) => validateConfig({ ...base, ...extra }, { env: {} });
const refused = (extra: Record<string, unknown>, message: RegExp) => expect(() => load(extra)).toThrow(expect.objectContaining({ code: 'config_invalid', message: expect.stringMatching(message) }));

describe('quality and experiments config', () => {
  it('resolves sampling, redaction, retention, a judge and the budget', () => {
    const config = load({ quality: { budget_usd: '2.5', routes: { 'm-a': { sample: 0.02, redact: ['\\d{4}'], retention_days: 7, judge: { model: 'm-b', rubric: 'correct?' } } }, alerts: {} } });
    const route = config.quality.routes.get('m-a')!;
    expect(config.quality.budgetNanosPerDay).toBe(2_500_000_000);
    expect(route).toMatchObject({ sample: 0.02, storeBodies: true, retentionMs: 7 * 86_400_000, judge: { mode: 'rubric', model: 'm-b', rubric: 'correct?', sample: 1 } });
    expect('card 1234'.replace(route.redact[0], 'X')).toBe('card X');
    expect(config.quality.alerts).toMatchObject({ minScored: 30, confidence: 0.99, windowMs: 86_400_000 });
    expect(load({}).quality.routes.size).toBe(0);
    expect(load({}).experiments).toEqual([]);
  });

  it('refuses judges without a budget, unknown names, bad patterns and a judge with both or neither mode', () => {
    refused({ quality: { routes: { 'm-a': { sample: 1, judge: { model: 'm-b', rubric: 'x' } } } } }, /quality\.budget_usd: required/);
    refused({ quality: { routes: { nope: { sample: 1 } } } }, /quality\.routes\.nope: unknown model or route 'nope'/);
    refused({ quality: { routes: { 'm-a': { sample: 1, redact: ['('] } } } }, /quality\.routes\.m-a\.redact\[0\]: not a valid regular expression/);
    refused({ quality: { budget_usd: 1, routes: { 'm-a': { sample: 1, judge: { model: 'm-b' } } } } }, /exactly one of rubric or reference_model/);
    refused({ quality: { budget_usd: 1, routes: { 'm-a': { sample: 1, judge: { model: 'm-b', rubric: 'x', reference_model: 'm-a' } } } } }, /exactly one of rubric or reference_model/);
  });

  it('resolves an experiment: arms in basis points, stickiness, window and shadow', () => {
    const config = load({
      quality: { budget_usd: 1 },
      experiments: { ab: { route: 'auto', arms: { a: { model: 'm-a', percent: 33.33 }, b: { model: 'm-b', percent: 66.67 } }, sticky: 'tag:team', start: '2026-01-01T00:00:00Z', end: '2026-02-01T00:00:00Z', shadow: { model: 'm-b', sample: 0.1 } } },
    });
    expect(config.experiments).toEqual([
      {
        name: 'ab', route: 'auto',
        arms: [{ name: 'a', model: 'm-a', basisPoints: 3_333 }, { name: 'b', model: 'm-b', basisPoints: 6_667 }],
        sticky: { kind: 'tag', tag: 'team' }, startMs: Date.UTC(2026, 0, 1), endMs: Date.UTC(2026, 1, 1),
        shadow: { name: 'shadow', model: 'm-b', sample: 0.1, judgeModel: undefined },
      },
    ]);
  });

  it('refuses shares that do not add up, an end before the start, two experiments on a route and a shadow without a budget', () => {
    const arms = { a: { model: 'm-a', percent: 50 }, b: { model: 'm-b', percent: 50 } };
    const start = '2026-01-01T00:00:00Z';
    refused({ experiments: { ab: { route: 'auto', arms: { a: { model: 'm-a', percent: 50 } }, start } } }, /percents must add up to 100, got 50/);
    refused({ experiments: { ab: { route: 'auto', arms, start, end: '2025-01-01T00:00:00Z' } } }, /experiments\.ab\.end: must be after start/);
    refused({ experiments: { ab: { route: 'auto', arms, start }, cd: { route: 'auto', arms, start } } }, /already split by experiment 'ab'/);
    refused({ experiments: { ab: { route: 'auto', arms, start, shadow: { model: 'm-b', sample: 1 } } } }, /quality\.budget_usd: required when an experiment has a shadow arm/);
    refused({ experiments: { ab: { route: 'm-a', arms: { a: { model: 'm-a', percent: 100 } }, start } } }, /cannot be the split route itself/);
  });
});
