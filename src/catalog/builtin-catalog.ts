import type { PriceSpec } from './price-spec.js';

/**
 * The built-in model catalog: prices in USD per 1M tokens as quoted by the seed articles Frugal was
 * founded on. Config `models:` entries with the same name win, field by field, so prices can be updated
 * without a release. `provider` is the name of the provider that serves the model when one of that name is
 * configured (auto-configured from OPENAI_API_KEY, ANTHROPIC_API_KEY, DEEPSEEK_API_KEY, ... ).
 */
export interface CatalogModel {
  name: string;
  provider: string;
  upstream?: string;
  type?: 'chat' | 'embedding';
  price: PriceSpec;
  context: number;
  max_output?: number;
  capabilities?: { tools?: boolean; vision?: boolean; json_schema?: boolean };
  source: string;
  as_of: string;
}

const SEED = 'Frugal seed articles (list prices quoted there)';
const AS_OF = '2026-11';

// Prices for the patient, checked 2026-11 against the providers' published pages (stored copies):
// - OpenAI Batch API: 50 % off input and output (developers.openai.com/api/docs/guides/cost-optimization); no
//   batch cached-input price is given here, so cached tokens in a batch count as batch input (errs high).
//   Flex (`service_tier: "flex"`) is billed "at Batch API rates" (…/guides/flex-processing) on the models the
//   pricing page lists for flex (o3, o4-mini, the gpt-5 family): none of the OpenAI models below has a flex price.
// - Anthropic Message Batches: 50 % off all usage — input, output, cache writes and cache reads
//   (platform.claude.com/docs/en/build-with-claude/batch-processing).
// - Gemini Batch Mode and Flex: 50 % off (ai.google.dev/gemini-api/docs/optimization); no Gemini model is built in.
// - DeepSeek (api-docs.deepseek.com/quick_start/pricing, checked 2026-11-15): peak and off-peak, off-peak half
//   the peak price. Peak: Monday–Friday 09:00–12:00 and 14:00–18:00 Beijing time (UTC+8, no daylight saving);
//   everything else is off-peak, Chinese public holidays included — holidays are not modelled here, so a
//   holiday call is priced at peak (the ledger errs high, never low). The page does not say how a call that
//   crosses a boundary is billed; Frugal prices it by the moment the request was sent upstream.
const DEEPSEEK_PRICING = 'DeepSeek Models & Pricing page (peak as standard, off-peak windows)';
const DEEPSEEK_AS_OF = '2026-11-15';
const DEEPSEEK_OFF_PEAK = ['Mon-Fri 00:00-09:00 UTC+8', 'Mon-Fri 12:00-14:00 UTC+8', 'Mon-Fri 18:00-24:00 UTC+8', 'Sat-Sun 00:00-24:00 UTC+8'];

export const BUILTIN_CATALOG: readonly CatalogModel[] = [
  { name: 'gpt-4o', provider: 'openai', price: { input: 2.5, output: 10, cached_input: 1.25, batch: { input: 1.25, output: 5 } }, context: 128_000, max_output: 16_384, capabilities: { tools: true, vision: true, json_schema: true }, source: SEED, as_of: AS_OF },
  { name: 'gpt-4o-mini', provider: 'openai', price: { input: 0.15, output: 0.6, cached_input: 0.075, batch: { input: 0.075, output: 0.3 } }, context: 128_000, max_output: 16_384, capabilities: { tools: true, vision: true, json_schema: true }, source: SEED, as_of: AS_OF },
  { name: 'text-embedding-3-small', provider: 'openai', type: 'embedding', price: { input: 0.02, output: 0, batch: { input: 0.01, output: 0 } }, context: 8_191, capabilities: {}, source: 'OpenAI list price', as_of: AS_OF },
  // The legacy name deepseek-v4-flash is served and billed as deepseek-flash (DeepSeek-V4.1-Flash).
  { name: 'deepseek-v4-flash', provider: 'deepseek', price: { input: 0.3, output: 1.2, cached_input: 0.006, off_peak: { windows: DEEPSEEK_OFF_PEAK, input: 0.15, output: 0.6, cached_input: 0.003 } }, context: 128_000, capabilities: { tools: true, json_schema: true }, source: DEEPSEEK_PRICING, as_of: DEEPSEEK_AS_OF },
  { name: 'deepseek-v4-pro', provider: 'deepseek', price: { input: 1.32, output: 3.96, cached_input: 0.044, off_peak: { windows: DEEPSEEK_OFF_PEAK, input: 0.66, output: 1.98, cached_input: 0.022 } }, context: 200_000, capabilities: { tools: true, json_schema: true }, source: DEEPSEEK_PRICING, as_of: DEEPSEEK_AS_OF },
  { name: 'deepseek-coder', provider: 'deepseek', price: { input: 0.14, output: 0.28 }, context: 128_000, capabilities: { tools: true }, source: `${SEED}; price: DeepSeek Coder list price`, as_of: AS_OF },
  { name: 'deepseek-reasoner', provider: 'deepseek', price: { input: 0.55, output: 2.5, cached_input: 0.14 }, context: 128_000, capabilities: { tools: false }, source: `${SEED} (output $2.50/M; input at DeepSeek's listed $0.55/M)`, as_of: AS_OF },
  { name: 'qwen3-32b', provider: 'qwen', price: { input: 0.3, output: 1.2 }, context: 32_000, capabilities: { tools: true, json_schema: true }, source: SEED, as_of: AS_OF },
  { name: 'qwen3-8b', provider: 'qwen', price: { input: 0.01, output: 0.01 }, context: 32_000, capabilities: { tools: true }, source: `${SEED} ($0.01/M, input and output)`, as_of: AS_OF },
  { name: 'qwen-mt-turbo', provider: 'qwen', price: { input: 0.3, output: 0.3 }, context: 8_000, capabilities: { tools: false }, source: `${SEED} ($0.30/M, input and output)`, as_of: AS_OF },
  { name: 'glm-4-plus', provider: 'zhipu', price: { input: 0.2, output: 0.8 }, context: 128_000, capabilities: { tools: true }, source: SEED, as_of: AS_OF },
  { name: 'claude-sonnet-4-5', provider: 'anthropic', price: { input: 3, output: 15, cached_input: 0.3, cache_write: 3.75, batch_discount: 0.5 }, context: 200_000, max_output: 64_000, capabilities: { tools: true, vision: true }, source: 'Anthropic list price', as_of: AS_OF },
  { name: 'claude-haiku-4-5', provider: 'anthropic', price: { input: 1, output: 5, cached_input: 0.1, cache_write: 1.25, batch_discount: 0.5 }, context: 200_000, max_output: 64_000, capabilities: { tools: true, vision: true }, source: 'Anthropic list price', as_of: AS_OF },
];

/** Providers configured automatically from the environment when no config file is given. */
export interface AutoProvider {
  name: string;
  kind: 'openai' | 'anthropic';
  env: string;
  baseUrl?: string;
}

export const AUTO_PROVIDERS: readonly AutoProvider[] = [
  { name: 'openai', kind: 'openai', env: 'OPENAI_API_KEY', baseUrl: 'https://api.openai.com/v1' },
  { name: 'anthropic', kind: 'anthropic', env: 'ANTHROPIC_API_KEY', baseUrl: 'https://api.anthropic.com' },
  { name: 'deepseek', kind: 'openai', env: 'DEEPSEEK_API_KEY', baseUrl: 'https://api.deepseek.com/v1' },
  { name: 'qwen', kind: 'openai', env: 'DASHSCOPE_API_KEY', baseUrl: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1' },
  { name: 'zhipu', kind: 'openai', env: 'ZHIPU_API_KEY', baseUrl: 'https://open.bigmodel.cn/api/paas/v4' },
];
