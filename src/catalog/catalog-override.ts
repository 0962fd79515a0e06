import type { CatalogModel } from './builtin-catalog.js';
import { picoToUsdPerMillion, usdPerMillionToPico } from './pricing.js';
import type { PriceSpec, RatesSpec } from './price-spec.js';

/**
 * One model of the imported catalog override (`frugal models import`). Prices are USD per 1M tokens as exact
 * decimal strings. It sits between the built-in catalog and the config's `models:` (built-in < override < config).
 */
export interface CatalogOverrideEntry {
  name: string;
  provider: string;
  type: 'chat' | 'embedding';
  price: { input: string; output: string; cached_input?: string; cache_write?: string; batch?: RatesSpec; flex?: RatesSpec };
  context: number;
  max_output?: number;
  capabilities?: { tools?: boolean; vision?: boolean; json_schema?: boolean };
  /** Where the prices came from (the imported file), and when they were taken. */
  source: string;
  as_of: string;
}

/**
 * The catalog with the override applied. An entry for a built-in model replaces the fields it has and keeps
 * the rest (and the built-in provider name: price files name providers their own way); any other entry is
 * a new model.
 *
 * @example
 * const catalog = applyCatalogOverride(BUILTIN_CATALOG, await readCatalogOverride('./.frugal') ?? []);
 */
export function applyCatalogOverride(catalog: readonly CatalogModel[], override: readonly CatalogOverrideEntry[]): CatalogModel[] {
  if (override.length === 0) return [...catalog];
  const byName = new Map(override.map((entry) => [entry.name, entry]));
  const merged = catalog.map((base) => {
    const entry = byName.get(base.name);
    return entry === undefined ? base : mergeEntry(base, entry);
  });
  const known = new Set(catalog.map((base) => base.name));
  for (const entry of override) if (!known.has(entry.name)) merged.push(mergeEntry(undefined, entry));
  return merged;
}

function mergeEntry(base: CatalogModel | undefined, entry: CatalogOverrideEntry): CatalogModel {
  return {
    ...base,
    name: entry.name,
    provider: base?.provider ?? entry.provider,
    type: base?.type ?? entry.type,
    price: mergePrice(base?.price, entry.price),
    context: entry.context,
    max_output: entry.max_output ?? base?.max_output,
    capabilities: { ...base?.capabilities, ...entry.capabilities },
    source: entry.source,
    as_of: entry.as_of,
  };
}

function mergePrice(base: PriceSpec | undefined, imported: CatalogOverrideEntry['price']): PriceSpec {
  const price: PriceSpec = { ...base, ...imported };
  // An imported batch price replaces a built-in discount: start-up refuses a price with both.
  if (imported.batch !== undefined) delete price.batch_discount;
  return price;
}

export type CatalogField = 'input' | 'output' | 'cached_input' | 'cache_write' | 'context' | 'max_output';

export interface CatalogFieldChange {
  field: CatalogField;
  /** Undefined for a model the built-in catalog does not have. */
  from: string | undefined;
  to: string;
}

export interface CatalogChange {
  name: string;
  kind: 'changed' | 'added';
  changes: CatalogFieldChange[];
  source: string;
  asOf: string;
}

/**
 * What the override changes against a base catalog, compared as the gateway would price it: a price the
 * base leaves out (cached input, cache write) counts as the input price, and prices compare by value
 * ("2.50" equals 2.5). Entries that change nothing are left out.
 */
export function diffCatalogOverride(base: readonly CatalogModel[], override: readonly CatalogOverrideEntry[]): CatalogChange[] {
  const result: CatalogChange[] = [];
  for (const entry of override) {
    const before = base.find((model) => model.name === entry.name);
    const after = mergeEntry(before, entry);
    const was = before === undefined ? undefined : effectiveFields(before);
    const now = effectiveFields(after);
    const changes: CatalogFieldChange[] = [];
    for (const field of Object.keys(now) as CatalogField[]) {
      // A cached or cache-write price neither side states just follows the input price: not news.
      if (DERIVED.has(field) && !stated(before, field) && !stated(after, field)) continue;
      const to = now[field];
      const from = was?.[field];
      if (to !== undefined && to !== from) changes.push({ field, from, to });
    }
    if (changes.length > 0) result.push({ name: entry.name, kind: before === undefined ? 'added' : 'changed', changes, source: entry.source, asOf: entry.as_of });
  }
  return result.sort((a, b) => a.name.localeCompare(b.name));
}

const DERIVED: ReadonlySet<CatalogField> = new Set(['cached_input', 'cache_write']);

function stated(model: CatalogModel | undefined, field: CatalogField): boolean {
  return (field === 'cached_input' || field === 'cache_write') && model?.price[field] !== undefined;
}

function effectiveFields(model: CatalogModel): Record<CatalogField, string | undefined> {
  const price = (value: number | string | undefined) => (value === undefined ? undefined : picoToUsdPerMillion(usdPerMillionToPico(value)));
  const input = price(model.price.input);
  return {
    input,
    output: price(model.price.output),
    cached_input: price(model.price.cached_input) ?? input,
    cache_write: price(model.price.cache_write) ?? input,
    context: String(model.context),
    max_output: model.max_output === undefined ? undefined : String(model.max_output),
  };
}

const FIELD_LABELS: Record<CatalogField, string> = {
  input: 'input $/1M',
  output: 'output $/1M',
  cached_input: 'cached $/1M',
  cache_write: 'cache write $/1M',
  context: 'context',
  max_output: 'max output',
};

/** One line per model: `gpt-4o  input $/1M 2.5 → 2.75; output $/1M 10 → 11  (source, as of)`. */
export function formatCatalogChanges(changes: readonly CatalogChange[]): string {
  if (changes.length === 0) return 'no differences from the built-in catalog';
  const width = Math.max(...changes.map((change) => change.name.length));
  return changes
    .map((change) => {
      const fields = change.changes.map(({ field, from, to }) => `${FIELD_LABELS[field]} ${change.kind === 'added' ? to : `${from ?? '-'} → ${to}`}`).join('; ');
      return `${change.name.padEnd(width)}  ${change.kind === 'added' ? 'new: ' : ''}${fields}  (${change.source}, as of ${change.asOf})`;
    })
    .join('\n');
}
