import type { CatalogModel } from './builtin-catalog.js';
import type { CatalogOverrideEntry } from './catalog-override.js';
import { perTokenToPerMillion } from './per-token-price.js';

/** LiteLLM's provider names → the provider names Frugal's catalog and auto-configuration use. */
const PROVIDER_NAMES: Readonly<Record<string, string>> = {
  openai: 'openai',
  'text-completion-openai': 'openai',
  anthropic: 'anthropic',
  deepseek: 'deepseek',
  dashscope: 'qwen',
  zai: 'zhipu',
  zhipuai: 'zhipu',
};

// Any JSON string (escapes included) or any JSON number; strings are matched first, so digits inside them stay put.
const JSON_TOKEN = /"(?:[^"\\]|\\.)*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/**
 * Parses a LiteLLM price file (`model_prices_and_context_window.json`) keeping every number as its source
 * text ("2.5e-06" stays "2.5e-06"), so prices are converted from the digits written, never from a float.
 */
export function parseLiteLlmPrices(text: string): Record<string, unknown> {
  const quoted = text.replace(JSON_TOKEN, (token) => (token.startsWith('"') ? token : `"${token}"`));
  let document: unknown;
  try {
    document = JSON.parse(quoted);
  } catch (error) {
    throw new SyntaxError(`not valid JSON: ${(error as Error).message}`);
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new SyntaxError('expected an object of models keyed by name (LiteLLM model_prices_and_context_window.json)');
  }
  return document as Record<string, unknown>;
}

export interface LiteLlmImportOptions {
  builtin: readonly CatalogModel[];
  /** Names in the config's `models:`; imported by default like the built-in ones. */
  configured: readonly string[];
  /** Import every chat and embedding model of the file, not only the known ones. */
  all?: boolean;
  /** Import these names (file keys or Frugal names) instead of the known ones. */
  models?: readonly string[];
  /** Keep only models of these providers (Frugal's or LiteLLM's provider names). */
  only?: readonly string[];
  /** Written into every entry: the file the prices came from, and when. */
  source: string;
  asOf: string;
}

export interface RoundedPrice {
  name: string;
  field: 'input' | 'output' | 'cached_input' | 'cache_write' | `${'batch' | 'flex'}.${'input' | 'output' | 'cached_input'}`;
  exact: string;
  kept: string;
}

export interface LiteLlmImport {
  entries: CatalogOverrideEntry[];
  /** Prices that needed more than 6 decimals per 1M tokens and were rounded half-up. */
  rounded: RoundedPrice[];
  /** Selected models that could not be imported, and why. */
  skipped: Array<{ key: string; reason: string }>;
  /** Models of the file left out by the selection (not known, other provider). */
  notSelected: number;
}

/**
 * Selects and converts LiteLLM entries into catalog override entries. By default only models Frugal already
 * knows (built-in catalog or config) are taken, so a 2 000-model file does not flood the model list.
 * A key `<provider>/<name>` counts as the known `<name>` when its provider is the known model's provider
 * (`openai/gpt-4o` is gpt-4o; `azure/gpt-4o` is another model with its own price).
 */
export function importLiteLlmPrices(document: Record<string, unknown>, options: LiteLlmImportOptions): LiteLlmImport {
  const builtin = new Map(options.builtin.map((model) => [model.name, model]));
  const known = new Set([...builtin.keys(), ...options.configured]);
  const wanted = options.models === undefined ? undefined : new Set(options.models);
  const only = options.only === undefined ? undefined : new Set(options.only);
  const result: LiteLlmImport = { entries: [], rounded: [], skipped: [], notSelected: 0 };
  const taken = new Set<string>();
  // Plain keys first, so `gpt-4o` wins over `openai/gpt-4o` when a file has both.
  const keys = Object.keys(document).filter((key) => key !== 'sample_spec').sort((a, b) => Number(a.includes('/')) - Number(b.includes('/')) || a.localeCompare(b));

  for (const key of keys) {
    const raw = document[key];
    const entry = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
    const litellmProvider = typeof entry.litellm_provider === 'string' ? entry.litellm_provider : '';
    const provider = PROVIDER_NAMES[litellmProvider] ?? litellmProvider;
    const name = frugalName(key, provider, known, builtin);
    const selected =
      (options.all === true || (wanted ? wanted.has(key) || wanted.has(name) : known.has(name))) &&
      (only === undefined || only.has(provider) || only.has(litellmProvider));
    if (!selected) {
      result.notSelected += 1;
      continue;
    }
    if (taken.has(name)) {
      result.skipped.push({ key, reason: `another entry of the file already gave ${name}` });
      continue;
    }
    const converted = convertEntry(name, entry, provider, builtin.get(name), options);
    if (typeof converted === 'string') {
      result.skipped.push({ key, reason: converted });
      continue;
    }
    taken.add(name);
    result.entries.push(converted.entry);
    result.rounded.push(...converted.rounded);
  }
  return result;
}

function frugalName(key: string, provider: string, known: ReadonlySet<string>, builtin: ReadonlyMap<string, CatalogModel>): string {
  if (known.has(key)) return key;
  const slash = key.indexOf('/');
  if (slash < 0) return key;
  const rest = key.slice(slash + 1);
  const base = builtin.get(rest);
  const sameProvider = key.slice(0, slash) === provider || PROVIDER_NAMES[key.slice(0, slash)] === provider;
  if (known.has(rest) && sameProvider && (base === undefined || base.provider === provider)) return rest;
  return key;
}

type Converted = { entry: CatalogOverrideEntry; rounded: RoundedPrice[] };

function convertEntry(name: string, entry: Record<string, unknown>, provider: string, base: CatalogModel | undefined, options: LiteLlmImportOptions): Converted | string {
  const mode = typeof entry.mode === 'string' ? entry.mode : 'chat';
  if (mode !== 'chat' && mode !== 'embedding') return `mode '${mode}' (only chat and embedding models are served)`;
  if (provider === '') return 'no litellm_provider';
  const rounded: RoundedPrice[] = [];
  const price = (field: RoundedPrice['field'], value: unknown): string | undefined => {
    if (value === undefined || value === null) return undefined;
    const converted = perTokenToPerMillion(String(value));
    if (converted.rounded) rounded.push({ name, field, exact: converted.exact, kept: converted.usdPerMillion });
    return converted.usdPerMillion;
  };
  const tierPrice = (tier: 'batch' | 'flex', input: unknown, output: unknown, cached: unknown) => {
    const tierInput = price(`${tier}.input`, input);
    const tierOutput = price(`${tier}.output`, output);
    if (tierInput === undefined || tierOutput === undefined) return undefined;
    const tierCached = price(`${tier}.cached_input`, cached);
    return tierCached === undefined ? { input: tierInput, output: tierOutput } : { input: tierInput, output: tierOutput, cached_input: tierCached };
  };
  let prices: CatalogOverrideEntry['price'];
  try {
    const input = price('input', entry.input_cost_per_token);
    const output = price('output', entry.output_cost_per_token) ?? (mode === 'embedding' ? '0' : undefined);
    if (input === undefined || output === undefined) return 'no input_cost_per_token or output_cost_per_token';
    prices = { input, output };
    const cachedInput = price('cached_input', entry.cache_read_input_token_cost);
    const cacheWrite = price('cache_write', entry.cache_creation_input_token_cost);
    if (cachedInput !== undefined) prices.cached_input = cachedInput;
    if (cacheWrite !== undefined) prices.cache_write = cacheWrite;
    // LiteLLM's batch and flex columns; a tier without both an input and an output price is left out.
    const batch = tierPrice('batch', entry.input_cost_per_token_batches, entry.output_cost_per_token_batches, entry.cache_read_input_token_cost_batches);
    if (batch !== undefined) prices.batch = batch;
    const flex = tierPrice('flex', entry.input_cost_per_token_flex, entry.output_cost_per_token_flex, entry.cache_read_input_token_cost_flex);
    if (flex !== undefined) prices.flex = flex;
  } catch (error) {
    return `bad price: ${(error as Error).message}`;
  }
  const context = positiveInteger(entry.max_input_tokens) ?? base?.context;
  if (context === undefined) return 'no max_input_tokens (context window)';
  const result: CatalogOverrideEntry = { name, provider, type: mode, price: prices, context, source: options.source, as_of: options.asOf };
  const maxOutput = positiveInteger(entry.max_output_tokens);
  if (maxOutput !== undefined) result.max_output = maxOutput;
  const capabilities: NonNullable<CatalogOverrideEntry['capabilities']> = {};
  if (typeof entry.supports_function_calling === 'boolean') capabilities.tools = entry.supports_function_calling;
  if (typeof entry.supports_vision === 'boolean') capabilities.vision = entry.supports_vision;
  if (typeof entry.supports_response_schema === 'boolean') capabilities.json_schema = entry.supports_response_schema;
  if (Object.keys(capabilities).length > 0) result.capabilities = capabilities;
  return { entry: result, rounded };
}

function positiveInteger(value: unknown): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const number = Number(value);
  return Number.isSafeInteger(number) && number > 0 ? number : undefined;
}
