import { createHash } from 'node:crypto';
import { generateSync, type JsonSchema } from 'json-schema-faker';
import { FrugalError } from '../../errors/frugal-error.js';
import { simulatedWords } from './simulated-text.js';

// The schema comes from the caller: without these bounds `maxItems: 1e9` or nested `minItems` would keep the
// event loop busy for minutes (json-schema-faker fills arrays and strings up to what the schema allows).
const ITEMS_CAP = 8;
const LENGTH_CAP = 64;
const PROPERTIES_CAP = 16;
/** Most array items (product of nested minItems/minProperties) times string length a schema may demand. */
const MAX_DEMANDED = 200_000;
const MAX_PATTERN_REPEAT = 10_000;

/**
 * A JSON value that satisfies `schema`, the same for the same schema and seed text (json-schema-faker's seeded
 * generator). A schema it cannot satisfy — or one that would demand a huge value — is refused with a 400
 * naming `param`, as OpenAI refuses an invalid strict schema.
 *
 * @example
 * fakeJson({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }, 'prompt', 'tools[0]')
 */
export function fakeJson(schema: unknown, seedText: string, param: string, prompt = ''): unknown {
  if (schema === undefined || schema === null) return {};
  if (typeof schema !== 'object' && typeof schema !== 'boolean') throw refused(param, 'the schema must be an object');
  const demand = { product: 1, longest: 0 };
  const bounded = boundSchema(schema, demand, param);
  if (demand.product * Math.max(1, demand.longest) > MAX_DEMANDED) throw refused(param, 'the schema demands a value too large to simulate');
  try {
    const words = promptWords(prompt);
    return generateSync(bounded as JsonSchema, {
      seed: seedOf(seedText),
      refDepthMax: 3,
      maxDefaultItems: 3,
      // A model fills the optional fields it knows about: so does the simulation.
      alwaysFakeOptionals: true,
      outputTransform: (value, node, outputPath) => (typeof value === 'string' ? readable(value, node, words, `${seedText}:${outputPath}`, /\/\d+$/.test(outputPath)) : value),
    });
  } catch (error) {
    throw refused(param, error instanceof Error ? error.message : 'cannot generate a value for it');
  }
}

/**
 * Free text reads like a model's instead of random letters: a field gets a word of the prompt (names first:
 * "weather in Paris" → `{"location":"Paris"}`), an array item (or a field when the prompt has no words) a few
 * plain words. Strings with a format, pattern, enum or const, or a length the text does not fit, keep the
 * generated value, so the result still satisfies the schema.
 */
function readable(value: string, node: unknown, words: readonly string[], seed: string, arrayItem: boolean): string {
  if (node === null || typeof node !== 'object') return value;
  const schema = node as Record<string, unknown>;
  if (schema.format !== undefined || schema.pattern !== undefined || schema.enum !== undefined || schema.const !== undefined) return value;
  // Four words from a list of 29: items of one array practically never repeat (uniqueItems holds).
  const text = !arrayItem && words.length > 0 ? words[seedOf(seed) % words.length] : simulatedWords(seed, 5).slice(1).join(' ');
  const fits = text.length >= (typeof schema.minLength === 'number' ? schema.minLength : 0) && text.length <= (typeof schema.maxLength === 'number' ? schema.maxLength : Number.POSITIVE_INFINITY);
  return fits ? text : value;
}

/** The prompt's capitalised words after its first (likely names), else all its longer words. */
function promptWords(prompt: string): string[] {
  const words = prompt.match(/[\p{L}\p{N}][\p{L}\p{N}'-]*/gu) ?? [];
  const names = words.slice(1).filter((word) => /^\p{Lu}/u.test(word));
  return names.length > 0 ? names : words.filter((word) => word.length > 3);
}

function refused(param: string, why: string): FrugalError {
  return new FrugalError('invalid_request', `The simulated provider cannot produce JSON for the schema in '${param}': ${why}.`, { param });
}

/** json-schema-faker wants a 32-bit seed; the text is hashed so every part of it counts. */
function seedOf(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32LE(0);
}

const MAX_KEYWORDS: Array<[max: string, min: string, cap: number, type: string]> = [
  ['maxItems', 'minItems', ITEMS_CAP, 'array'],
  ['maxLength', 'minLength', LENGTH_CAP, 'string'],
  ['maxProperties', 'minProperties', PROPERTIES_CAP, 'object'],
  ['maxContains', 'minContains', ITEMS_CAP, 'array'],
];
/**
 * A numeric range becomes a human-sized one inside it, near zero where allowed (`servings >= 1` → 1..101; zod's
 * `.int()` bounds of ±2^53 → 0..100), wide enough to hold a multiple of `multipleOf`, and clear of exclusive
 * bounds, so the value still satisfies the original schema.
 */
function boundRange(source: Record<string, unknown>, copy: Record<string, unknown>, integer: boolean) {
  const number = (key: string) => (typeof source[key] === 'number' && Number.isFinite(source[key]) ? (source[key] as number) : undefined);
  const lower = number('minimum') ?? number('exclusiveMinimum');
  const upper = number('maximum') ?? number('exclusiveMaximum');
  const width = Math.max(100, (number('multipleOf') ?? 0) * 10);
  let low = Math.max(lower ?? Number.NEGATIVE_INFINITY, Math.min(0, (upper ?? width) - width));
  let high = Math.min(upper ?? Number.POSITIVE_INFINITY, low + width);
  if (number('minimum') === undefined && lower !== undefined && low === lower) low = integer ? Math.floor(lower) + 1 : lower + width / 1000;
  if (number('maximum') === undefined && upper !== undefined && high === upper) high = integer ? Math.ceil(upper) - 1 : upper - width / 1000;
  if (low > high) return; // a range narrower than that is left to the generator as it is
  copy.minimum = low;
  copy.maximum = high;
}

/** Keywords whose value is a map of names to schemas. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
/** Keywords whose value is a schema or a list of schemas; anything else (enum, const, default…) is data. */
const SCHEMA_KEYS = new Set(['items', 'additionalItems', 'prefixItems', 'contains', 'additionalProperties', 'propertyNames', 'not', 'if', 'then', 'else', 'allOf', 'anyOf', 'oneOf', 'unevaluatedItems', 'unevaluatedProperties']);

/**
 * A copy of the schema with every upper bound lowered to a small size (never below its lower bound, so a
 * value of the copy still satisfies the original), and the sizes it demands accumulated in `demand`.
 */
function boundSchema(node: unknown, demand: { product: number; longest: number }, param: string): unknown {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return node;
  const source = node as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (SCHEMA_MAPS.has(key) && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      copy[key] = Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, boundSchema(schema, demand, param)]));
    } else if (SCHEMA_KEYS.has(key)) {
      copy[key] = Array.isArray(value) ? value.map((schema) => boundSchema(schema, demand, param)) : boundSchema(value, demand, param);
    } else {
      copy[key] = value;
    }
  }
  const types = Array.isArray(source.type) ? source.type : [source.type];
  for (const [max, min, cap, type] of MAX_KEYWORDS) {
    if (!types.includes(type) && source[max] === undefined) continue;
    const lower = typeof source[min] === 'number' ? source[min] : 0;
    const upper = typeof source[max] === 'number' ? source[max] : Number.POSITIVE_INFINITY;
    copy[max] = Math.min(upper, Math.max(lower, cap));
  }
  if (types.includes('integer') || types.includes('number')) boundRange(source, copy, !types.includes('number'));
  for (const key of ['minItems', 'minProperties', 'minContains']) {
    const value = source[key];
    if (typeof value === 'number' && value > 1) demand.product *= value;
  }
  if (typeof source.minLength === 'number') demand.longest = Math.max(demand.longest, source.minLength);
  if (typeof source.pattern === 'string') {
    for (const match of source.pattern.matchAll(/\{(\d+)(?:,(\d*))?\}/g)) {
      if (Number(match[1]) > MAX_PATTERN_REPEAT || Number(match[2] ?? 0) > MAX_PATTERN_REPEAT) throw refused(param, `pattern repeats more than ${MAX_PATTERN_REPEAT} times`);
    }
  }
  return copy;
}
