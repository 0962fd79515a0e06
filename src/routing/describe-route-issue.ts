import { z } from 'zod';
import { routeSchema } from './route-schema.js';

/** The parts of a JSON Schema the route schema's export uses. */
interface JsonSchema {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

type Path = ReadonlyArray<PropertyKey>;

/** How zod 4 reports a failed discriminated union: the options it expected. */
interface RouteIssue {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  options?: unknown[];
}

// Read through zod's own JSON Schema export, not its internals: built once, the first time a route is refused.
let routeJsonSchema: JsonSchema | undefined;
const schemaOfRoutes = () => (routeJsonSchema ??= z.toJSONSchema(routeSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema);

/**
 * One zod issue of a route as one line that names the path, what was given and what is expected
 * (`routes.fast.strategy: 'cheapest' is not a strategy; expected one of map, classify, …`), instead of zod's
 * wording ("Invalid discriminator value", "expected number, received string"), which names neither.
 */
export function describeRouteIssue(name: string, raw: unknown, issue: RouteIssue): string {
  const where = (path: Path) => `routes.${name}${path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('')}`;
  if (issue.code === 'unrecognized_keys' && issue.keys) {
    const node = pick(schemaAt(schemaOfRoutes(), issue.path, raw), valueAt(raw, issue.path));
    const known = Object.keys(node?.properties ?? {});
    const expected = known.length > 0 ? `; expected one of ${known.join(', ')}` : '';
    if (issue.keys.length === 1) return `${where([...issue.path, issue.keys[0]])}: unknown key${expected}`;
    return `${where(issue.path)}: unknown keys ${issue.keys.join(', ')}${expected}`;
  }
  const given = valueAt(raw, issue.path);
  if (issue.code === 'invalid_union' && issue.options) {
    return `${where(issue.path)}: ${givenPhrase(given, issue.path)}; expected one of ${issue.options.map(String).join(', ')}`;
  }
  const schema = schemaAt(schemaOfRoutes(), issue.path, raw);
  if (issue.path.length === 0 && typeof given === 'string') {
    // The commonest first mistake: `fast: gpt-4o`, a model where a route's settings go.
    return `${where(issue.path)}: got '${shorten(given)}'; expected ${describe(schema)}, such as { strategy: fallback, chain: [${shorten(given)}] }`;
  }
  // A refinement's message is already our own words for what is expected.
  const expected = issue.code === 'custom' || schema === undefined ? issue.message : describe(schema);
  return `${where(issue.path)}: ${givenPhrase(given, issue.path)}; expected ${expected}`;
}

function valueAt(raw: unknown, path: Path): unknown {
  let value = raw;
  for (const part of path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[part] : undefined;
  return value;
}

/** The alternative of a union the value (or the next path step) belongs to: the one whose constants it matches. */
function pick(node: JsonSchema | undefined, value: unknown, next?: PropertyKey): JsonSchema | undefined {
  const alternatives = node?.oneOf ?? node?.anyOf;
  if (!alternatives) return node;
  const fits = alternatives.filter((alternative) => (next === undefined ? alternative.properties !== undefined : typeof next === 'number' ? alternative.items !== undefined : alternative.properties?.[String(next)] !== undefined));
  const matches = (alternative: JsonSchema) =>
    Object.entries(alternative.properties ?? {}).every(([key, property]) => property.const === undefined || (value as Record<string, unknown> | null)?.[key] === property.const);
  return fits.find(matches) ?? (next === undefined ? node : fits[0]);
}

function schemaAt(root: JsonSchema, path: Path, raw: unknown): JsonSchema | undefined {
  let node: JsonSchema | undefined = root;
  let value = raw;
  for (const part of path) {
    node = pick(node, value, part);
    if (node === undefined) return undefined;
    node = typeof part === 'number' ? node.items : (node.properties?.[String(part)] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined));
    value = valueAt(value, [part]);
  }
  return node;
}

/** Fields whose value is one of a list: a wrong one reads "'cheapest' is not a strategy". */
const LISTED_FIELDS: Readonly<Record<string, string>> = { strategy: 'strategy', policy: 'policy', priority: 'priority', format: 'format', classifier: 'classifier' };

/** "'cheapest' is not a strategy" (or "a check", for an entry of checks); "got 1.5", "got 'three'", "missing" otherwise. */
function givenPhrase(given: unknown, path: Path): string {
  if (given === undefined) return 'missing';
  const last = path.at(-1);
  const noun = typeof last === 'number' ? (path.at(-2) === 'checks' ? 'check' : undefined) : typeof last === 'string' ? LISTED_FIELDS[last] : undefined;
  if (typeof given === 'string' && noun !== undefined) return `'${shorten(given)}' is not a ${noun}`;
  return `got ${shown(given)}`;
}

function shown(value: unknown): string {
  if (typeof value === 'string') return `'${shorten(value)}'`;
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (value !== null && typeof value === 'object') return `a map of ${Object.keys(value).join(', ') || 'nothing'}`;
  return String(value);
}

/** Values are quoted to say what was read, kept short: an error is one line. */
function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** What a schema node accepts, in words ("a whole number from 1 to 10", "one of weighted, least_in_flight, …"). */
function describe(node: JsonSchema | undefined, depth = 0): string {
  if (node === undefined) return 'nothing here';
  if (node.description) return `a ${node.description}`;
  if (node.const !== undefined) return String(node.const);
  if (node.enum) return `one of ${node.enum.map(String).join(', ')}`;
  const alternatives = node.oneOf ?? node.anyOf;
  if (alternatives) {
    const discriminator = Object.keys(alternatives[0]?.properties ?? {}).find((key) => alternatives.every((alternative) => alternative.properties?.[key]?.const !== undefined));
    if (discriminator) return `a map with ${discriminator}: one of ${alternatives.map((alternative) => String(alternative.properties![discriminator].const)).join(', ')}`;
    const words = alternatives.map((alternative) => describe(alternative, depth + 1));
    return words.length > 1 && words.every((word) => !word.includes(' ')) ? `one of ${words.join(', ')}` : words.join(' or ');
  }
  const types = Array.isArray(node.type) ? node.type : [node.type];
  if (types.length > 1) return types.map((type) => describe({ type }, depth + 1)).join(' or ');
  switch (types[0]) {
    case 'integer':
      return `a whole number${range(node)}`;
    case 'number':
      return `a number${range(node)}`;
    case 'boolean':
      return 'true or false';
    case 'string':
      return 'a string';
    case 'array': {
      const items = node.items?.description ? `a list of ${node.items.description}s` : `a list, each ${describe(node.items, depth + 1)}`;
      return node.minItems ? `${items}, at least ${node.minItems}` : items;
    }
    case 'object':
      if (typeof node.additionalProperties === 'object') return `a map of names to ${describe(node.additionalProperties, depth + 1)}`;
      return keysOf(node, depth);
    default:
      return 'a value';
  }
}

/** `{ model, min, prompt? }`: the keys of a map, optional ones marked, nested maps shown to one level. */
function keysOf(node: JsonSchema, depth: number): string {
  const required = new Set(node.required ?? []);
  const keys = Object.entries(node.properties ?? {}).map(([key, property]) => {
    const nested = depth < 2 && property.properties ? `: ${keysOf(property, depth + 1)}` : '';
    return `${key}${required.has(key) ? '' : '?'}${nested}`;
  });
  return `{ ${keys.join(', ')} }`;
}

function range(node: JsonSchema): string {
  // Zod writes int()'s safe-integer bound as a maximum; nobody configures that.
  const max = node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER ? node.maximum : undefined;
  if (node.minimum !== undefined && max !== undefined) return ` from ${node.minimum} to ${max}`;
  const low = node.minimum !== undefined ? `at least ${node.minimum}` : node.exclusiveMinimum !== undefined ? `above ${node.exclusiveMinimum}` : undefined;
  const high = max !== undefined ? `at most ${max}` : node.exclusiveMaximum !== undefined ? `below ${node.exclusiveMaximum}` : undefined;
  const parts = [low, high].filter((part) => part !== undefined);
  return parts.length > 0 ? ` ${parts.join(' and ')}` : '';
}
