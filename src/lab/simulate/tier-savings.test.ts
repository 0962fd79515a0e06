import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../config/load-config.js';
import type { LedgerRow } from '../../ledger/ledger-row.js';
import { projectTierSavings } from './tier-savings.js';

const config = validateConfig(
  {
    providers: { sim: { kind: 'simulated' } },
    models: [
      { name: 'gpt', provider: 'sim', price: { input: 2.5, output: 10, cached_input: 1.25, batch_discount: 0.5, flex: { input: 1.25, output: 5, cached_input: 0.125 } } },
      { name: 'ds', provider: 'sim', price: { input: 0.3, output: 1.2, cached_input: 0.006, off_peak: { windows: ['16:00-24:00 UTC'], input: 0.15, output: 0.6, cached_input: 0.003 } } },
      { name: 'plain', provider: 'sim', price: { input: 1, output: 2 } },
    ],
  },
  { env: {} },
);

function ledgerRow(fields: Partial<LedgerRow>): LedgerRow {
  return {
    id: 'r', ts: 0, keyId: null, user: null, tags: { job: 'nightly' }, requestedModel: 'gpt', servedModel: 'gpt', provider: 'sim', stream: false,
    promptTokens: 0, completionTokens: 0, cachedTokens: 0, cacheCreationTokens: 0, tokensEstimated: false, costNanos: 0, savedNanos: 0,
    baselineNanos: 0, savedRoutingNanos: 0, savedCacheNanos: 0, savedCompressionNanos: 0, savedPromptCacheNanos: 0, savedBatchNanos: 0, savedBatchingNanos: 0, callerChoiceNanos: 0, latencyMs: 1, ttftMs: null,
    status: 'ok', httpStatus: 200, errorCode: null, cacheStatus: 'miss', routeTrace: null, task: null, warnings: [], tokenReduction: null, serviceTier: null, batchId: null, overhead: null, experiment: null, arm: null,
    ...fields,
  };
}

// gpt, 600 + 400 cached prompt, 100 out: 600 × 2.5 + 400 × 1.25 + 100 × 10 ($/1M) = 3 000 000 nano recorded;
//   batch (−50 %): 1 500 000; flex (1.25 / 0.125 cached / 5): 600 × 1.25 + 400 × 0.125 + 100 × 5 = 1 300 000.
const GPT_TOKENS = { promptTokens: 1000, cachedTokens: 400, completionTokens: 100 };
// ds, 1 000 + 1 000 cached prompt, 500 out: peak 1 000 × 0.3 + 1 000 × 0.006 + 500 × 1.2 = 906 000; off-peak 453 000.
const DS_TOKENS = { servedModel: 'ds', promptTokens: 2000, cachedTokens: 1000, completionTokens: 500 };

const ROWS = [
  ledgerRow({ id: 'gpt', ...GPT_TOKENS, costNanos: 3_000_000 }),
  ledgerRow({ id: 'ds-peak', ...DS_TOKENS, costNanos: 906_000 }),
  ledgerRow({ id: 'ds-already-off-peak', ...DS_TOKENS, costNanos: 453_000 }),
  ledgerRow({ id: 'plain', servedModel: 'plain', promptTokens: 100, completionTokens: 100, costNanos: 300_000 }),
  ledgerRow({ id: 'hit', ...GPT_TOKENS, cacheStatus: 'hit' }),
  ledgerRow({ id: 'failed', ...GPT_TOKENS, status: 'error', httpStatus: 502 }),
  ledgerRow({ id: 'retired', servedModel: 'retired-model', promptTokens: 10, completionTokens: 10, costNanos: 50 }),
  ledgerRow({ id: 'interactive', ...GPT_TOKENS, costNanos: 3_000_000, tags: { job: 'interactive' } }),
  ledgerRow({ id: 'untagged', ...GPT_TOKENS, costNanos: 3_000_000, tags: {} }),
];

describe('projectTierSavings', () => {
  it('prices the tagged rows at each tier their model offers, by hand', () => {
    const savings = projectTierSavings(ROWS, config.models, { tag: 'job=nightly' });
    expect(savings.rows).toBe(4);
    expect(savings.recordedNanos).toBe(4_659_000n);
    expect(savings.options).toEqual([
      { tier: 'batch', rows: 1, recordedNanos: 3_000_000n, projectedNanos: 1_500_000n, savedNanos: 1_500_000n },
      { tier: 'flex', rows: 1, recordedNanos: 3_000_000n, projectedNanos: 1_300_000n, savedNanos: 1_700_000n },
      // The row already run off-peak saves nothing more.
      { tier: 'off_peak', rows: 2, recordedNanos: 1_359_000n, projectedNanos: 906_000n, savedNanos: 453_000n },
    ]);
    // Cheapest per row: gpt at flex, both ds rows off-peak, plain as recorded.
    expect(savings.cheapestNanos).toBe(1_300_000n + 453_000n + 453_000n + 300_000n);
    expect(savings.cheapestSavedNanos).toBe(2_153_000n);
    expect(savings.skipped).toEqual({ cacheHits: 1, notOk: 1, unknownModel: 1 });
  });

  it('selects by tag name alone, or any value', () => {
    expect(projectTierSavings(ROWS, config.models, { tag: 'job' }).rows).toBe(5);
    expect(projectTierSavings(ROWS, config.models, { tag: 'job=*' }).rows).toBe(5);
    expect(projectTierSavings(ROWS, config.models, { tag: 'job=interactive' }).options.map((option) => option.tier)).toEqual(['batch', 'flex']);
    expect(projectTierSavings(ROWS, config.models, { tag: 'team=none' })).toMatchObject({ rows: 0, recordedNanos: 0n, options: [], cheapestSavedNanos: 0n });
  });

  it('reports a negative saving when a tier is dearer than what was paid', () => {
    const cheapRecorded = [ledgerRow({ ...GPT_TOKENS, costNanos: 1_000_000 })];
    const batch = projectTierSavings(cheapRecorded, config.models, { tag: 'job' }).options[0];
    expect(batch).toMatchObject({ tier: 'batch', savedNanos: -500_000n });
    // The cheapest lane never costs more than what was recorded.
    expect(projectTierSavings(cheapRecorded, config.models, { tag: 'job' }).cheapestSavedNanos).toBe(0n);
  });
});
