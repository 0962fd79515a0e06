import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../config/load-config.js';
import { createAdapter } from '../../providers/create-adapter.js';
import { emptySpend, type RequestContext } from '../../request/request-context.js';
import type { ChatRequest } from '../../wire/chat-types.js';
import { createModelCaller } from './provider-call.js';

const config = validateConfig(
  {
    providers: { sim: { kind: 'simulated', output_tokens: 40 } },
    models: [{ name: 'night', provider: 'sim', price: { input: 1, output: 2, off_peak: { windows: ['Mon-Fri 22:00-06:00 UTC'], input: 0.5, output: 1 } } }],
  },
  { env: {} },
);
const adapters = new Map([['sim', createAdapter(config.providers.get('sim')!)]]);
const model = config.models.get('night')!;

function contextFor(request: ChatRequest): RequestContext {
  return {
    requestId: 'req-clock', startedAt: 0, startedHr: 0, request, keyId: null, key: undefined, spendHold: undefined, user: null, tags: {},
    signal: new AbortController().signal, taskHint: undefined, cacheHeader: undefined, maxCostUsd: undefined, cacheHit: undefined,
    compressedAwayTokens: 0, tokenReduction: null, compressionCostNanos: 0, needs: undefined, model, routeTrace: [], task: null,
    warnings: [], cacheStatus: null, spend: emptySpend(), responseHeaders: {},
  };
}

async function costAt(iso: string, stream = false): Promise<{ costNanos: number; promptTokens: number; completionTokens: number }> {
  const callModel = createModelCaller(adapters, { costInBody: false, now: () => Date.parse(iso) });
  const context = contextFor({ model: 'night', messages: [{ role: 'user', content: 'What changed overnight?' }], stream });
  const outcome = await callModel(context, model);
  if (outcome.kind === 'stream') for await (const _chunk of outcome.chunks) void _chunk;
  return { costNanos: context.spend.costNanos, promptTokens: context.spend.promptTokens, completionTokens: context.spend.completionTokens };
}

describe('the model caller’s clock', () => {
  it('prices with the injected clock: peak by day, off-peak across midnight, and only on the days the window starts', async () => {
    // Monday 2026-11-16.
    const peak = await costAt('2026-11-16T12:00:00Z');
    expect(peak.costNanos).toBe(peak.promptTokens * 1_000 + peak.completionTokens * 2_000);
    const night = await costAt('2026-11-17T01:00:00Z');
    expect(night.costNanos).toBe(night.promptTokens * 500 + night.completionTokens * 1_000);
    expect(night.costNanos * 2).toBe(peak.costNanos);
    // Sunday night is not in a Mon-Fri window (it starts Monday 22:00).
    expect((await costAt('2026-11-15T23:00:00Z')).costNanos).toBe(peak.costNanos);
  });

  it('prices a stream with the time it was sent', async () => {
    const streamed = await costAt('2026-11-16T22:00:00Z', true);
    expect(streamed.completionTokens).toBeGreaterThan(0);
    expect(streamed.costNanos).toBe(streamed.promptTokens * 500 + streamed.completionTokens * 1_000);
  });
});
