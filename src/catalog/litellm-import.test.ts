import { describe, expect, it } from 'vitest';
import { BUILTIN_CATALOG } from './builtin-catalog.js';
import { importLiteLlmPrices, parseLiteLlmPrices } from './litellm-import.js';
import { applyCatalogOverride } from './catalog-override.js';
import { resolvePriceSpec } from './price-spec.js';

// A LiteLLM-shaped file: the sample_spec header, known models (plain and provider-prefixed), a reseller's copy
// of a known model, an unknown chat model, an image model and a model without prices.
const FILE = `{
  "sample_spec": { "input_cost_per_token": 0.0, "litellm_provider": "one of https://docs.litellm.ai/docs/providers", "mode": "one of chat, embedding, ..." },
  "gpt-4o": { "input_cost_per_token": 2.75e-06, "output_cost_per_token": 1.1e-05, "cache_read_input_token_cost": 1.375e-06,
              "max_input_tokens": 128000, "max_output_tokens": 16384, "litellm_provider": "openai", "mode": "chat",
              "supports_function_calling": true, "supports_vision": true, "supports_response_schema": true },
  "openai/gpt-4o": { "input_cost_per_token": 9e-06, "output_cost_per_token": 9e-06, "max_input_tokens": 1, "litellm_provider": "openai", "mode": "chat" },
  "azure/gpt-4o": { "input_cost_per_token": 5e-06, "output_cost_per_token": 1.5e-05, "max_input_tokens": 128000, "litellm_provider": "azure", "mode": "chat" },
  "anthropic/claude-haiku-4-5": { "input_cost_per_token": 1e-06, "output_cost_per_token": 5e-06, "cache_read_input_token_cost": 1e-07,
              "cache_creation_input_token_cost": 1.25e-06, "litellm_provider": "anthropic", "mode": "chat" },
  "dashscope/qwen3-32b": { "input_cost_per_token": 2.0833333e-07, "output_cost_per_token": 1.2e-06, "max_input_tokens": 131072, "litellm_provider": "dashscope", "mode": "chat" },
  "text-embedding-3-small": { "input_cost_per_token": 2e-08, "max_input_tokens": 8191, "litellm_provider": "openai", "mode": "embedding" },
  "mystery-model": { "input_cost_per_token": 1e-07, "output_cost_per_token": 2e-07, "max_input_tokens": 32768, "litellm_provider": "together_ai", "mode": "chat" },
  "dall-e-3": { "input_cost_per_pixel": 4e-08, "litellm_provider": "openai", "mode": "image_generation" },
  "gpt-4o-mini": { "max_input_tokens": 128000, "litellm_provider": "openai", "mode": "chat" }
}`;

const base = { builtin: BUILTIN_CATALOG, configured: [], source: 'LiteLLM price file prices.json', asOf: '2026-01-15' };

describe('parseLiteLlmPrices', () => {
  it('keeps every number as the text written in the file', () => {
    const document = parseLiteLlmPrices('{"m": {"input_cost_per_token": 2.5e-06, "max_input_tokens": 128000, "note": "1e-06 stays a string", "ok": true}}');
    expect(document.m).toEqual({ input_cost_per_token: '2.5e-06', max_input_tokens: '128000', note: '1e-06 stays a string', ok: true });
  });

  it('rejects what is not a JSON object of models', () => {
    expect(() => parseLiteLlmPrices('{"m": 1e-06,}')).toThrow(SyntaxError);
    expect(() => parseLiteLlmPrices('[1, 2]')).toThrow(/object of models/);
  });
});

describe('importLiteLlmPrices', () => {
  it('imports only models Frugal knows by default, with exact prices, context and capabilities', () => {
    const imported = importLiteLlmPrices(parseLiteLlmPrices(FILE), base);
    expect(imported.entries.map((entry) => entry.name)).toEqual(['gpt-4o', 'text-embedding-3-small', 'claude-haiku-4-5', 'qwen3-32b']);
    expect(imported.entries[0]).toEqual({
      name: 'gpt-4o',
      provider: 'openai',
      type: 'chat',
      price: { input: '2.75', output: '11', cached_input: '1.375' },
      context: 128_000,
      max_output: 16_384,
      capabilities: { tools: true, vision: true, json_schema: true },
      source: 'LiteLLM price file prices.json',
      as_of: '2026-01-15',
    });
    // No max_input_tokens in the file: the built-in context window stays.
    expect(imported.entries[2]).toMatchObject({ name: 'claude-haiku-4-5', provider: 'anthropic', price: { input: '1', output: '5', cached_input: '0.1', cache_write: '1.25' }, context: 200_000 });
    expect(imported.entries[1]).toMatchObject({ type: 'embedding', price: { input: '0.02', output: '0' } });
    // dashscope is Frugal's qwen provider; its price needs 8 decimals per 1M and is rounded, said out loud.
    expect(imported.entries[3]).toMatchObject({ provider: 'qwen', price: { input: '0.208333', output: '1.2' }, context: 131_072 });
    expect(imported.rounded).toEqual([{ name: 'qwen3-32b', field: 'input', exact: '0.20833333', kept: '0.208333' }]);
    // openai/gpt-4o loses to the plain key; gpt-4o-mini has no prices; azure, mystery and dall-e are not known.
    expect(imported.skipped).toEqual([
      { key: 'gpt-4o-mini', reason: 'no input_cost_per_token or output_cost_per_token' },
      { key: 'openai/gpt-4o', reason: 'another entry of the file already gave gpt-4o' },
    ]);
    expect(imported.notSelected).toBe(3);
  });

  it('never takes a reseller’s price for a known model: azure/gpt-4o is a model of its own', () => {
    const imported = importLiteLlmPrices(parseLiteLlmPrices(FILE), { ...base, models: ['azure/gpt-4o'] });
    expect(imported.entries).toMatchObject([{ name: 'azure/gpt-4o', provider: 'azure', price: { input: '5', output: '15' } }]);
  });

  it('narrows to providers with --only, and --all takes every chat and embedding model', () => {
    const only = importLiteLlmPrices(parseLiteLlmPrices(FILE), { ...base, only: ['anthropic', 'dashscope'] });
    expect(only.entries.map((entry) => entry.name)).toEqual(['claude-haiku-4-5', 'qwen3-32b']);
    const all = importLiteLlmPrices(parseLiteLlmPrices(FILE), { ...base, all: true });
    expect(all.entries.map((entry) => entry.name)).toEqual(['gpt-4o', 'mystery-model', 'text-embedding-3-small', 'claude-haiku-4-5', 'azure/gpt-4o', 'qwen3-32b']);
    expect(all.skipped.map((skip) => skip.key)).toEqual(['dall-e-3', 'gpt-4o-mini', 'openai/gpt-4o']);
    expect(all.skipped[0].reason).toMatch(/mode 'image_generation'/);
  });

  it('counts a model of the config as known', () => {
    const imported = importLiteLlmPrices(parseLiteLlmPrices(FILE), { ...base, configured: ['mystery-model'], only: ['together_ai'] });
    expect(imported.entries).toMatchObject([{ name: 'mystery-model', provider: 'together_ai', price: { input: '0.1', output: '0.2' }, context: 32_768 }]);
  });
});

describe('importLiteLlmPrices: batch and flex columns', () => {
  it('imports LiteLLM’s *_batches and *_flex prices as the batch and flex tiers, and the override replaces a built-in discount', () => {
    const file = `{
      "claude-haiku-4-5": { "input_cost_per_token": 1e-06, "output_cost_per_token": 5e-06, "input_cost_per_token_batches": 4e-07,
                            "output_cost_per_token_batches": 2e-06, "litellm_provider": "anthropic", "mode": "chat" },
      "gpt-4o": { "input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05, "input_cost_per_token_flex": 1.25e-06,
                  "output_cost_per_token_flex": 5e-06, "cache_read_input_token_cost_flex": 6.25e-07, "input_cost_per_token_batches": 1.25e-06,
                  "litellm_provider": "openai", "mode": "chat" }
    }`;
    const imported = importLiteLlmPrices(parseLiteLlmPrices(file), base);
    const haiku = imported.entries.find((entry) => entry.name === 'claude-haiku-4-5')!;
    expect(haiku.price.batch).toEqual({ input: '0.4', output: '2' });
    const gpt4o = imported.entries.find((entry) => entry.name === 'gpt-4o')!;
    expect(gpt4o.price.flex).toEqual({ input: '1.25', output: '5', cached_input: '0.625' });
    // A batch input price without a batch output price is no batch price.
    expect(gpt4o.price.batch).toBeUndefined();
    const merged = applyCatalogOverride(BUILTIN_CATALOG, imported.entries);
    const mergedHaiku = merged.find((model) => model.name === 'claude-haiku-4-5')!;
    expect(mergedHaiku.price.batch_discount).toBeUndefined();
    expect(resolvePriceSpec(mergedHaiku.price).batch).toMatchObject({ inputPico: 400_000, outputPico: 2_000_000 });
  });
});
