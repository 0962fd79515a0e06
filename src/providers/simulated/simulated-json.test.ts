import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { fakeJson } from './simulated-json.js';

const ajv = new Ajv({ strict: false });
// Enough of a check for the generated addresses; ajv-formats is not a dependency.
ajv.addFormat('email', /^[^\s@]+@[^\s@]+\.[^\s@]+$/);

const order = {
  type: 'object',
  properties: {
    customer: { type: 'string' },
    email: { type: 'string', format: 'email' },
    quantity: { type: 'integer', minimum: 1, maximum: 9 },
    size: { type: 'string', enum: ['S', 'M', 'L'] },
    note: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    tags: { type: 'array', items: { type: 'string', maxLength: 5 }, maxItems: 1_000_000_000 },
    code: { type: 'string', pattern: '^[A-Z]{3}-\\d{4}$' },
  },
  required: ['customer', 'email', 'quantity', 'size', 'note', 'tags', 'code'],
  additionalProperties: false,
};

describe('fakeJson', () => {
  it('generates a value that validates against the schema, the same for the same seed', () => {
    const value = fakeJson(order, 'seed-a', 'response_format', 'Order for Alice please');
    expect(ajv.validate(order, value), JSON.stringify(ajv.errors)).toBe(true);
    expect(fakeJson(order, 'seed-a', 'response_format', 'Order for Alice please')).toEqual(value);
    expect(fakeJson(order, 'seed-b', 'response_format', 'Order for Alice please')).not.toEqual(value);
    expect((value as { tags: unknown[] }).tags.length).toBeLessThanOrEqual(8);
  });

  it('fills free-text fields from the prompt, names first', () => {
    const value = fakeJson({ type: 'object', properties: { location: { type: 'string' } }, required: ['location'] }, 's', 'tools', 'What is the weather in Paris today?');
    expect(value).toEqual({ location: 'Paris' });
  });

  it('keeps numbers human-sized inside the schema range, exclusive bounds and multipleOf included', () => {
    const schema = {
      type: 'object',
      properties: {
        servings: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
        balance: { type: 'number', exclusiveMinimum: 0 },
        below: { type: 'integer', exclusiveMaximum: -5 },
        step: { type: 'integer', minimum: 1, multipleOf: 250 },
      },
      required: ['servings', 'balance', 'below', 'step'],
    };
    for (const seed of ['1', '2', '3', '4']) {
      const value = fakeJson(schema, seed, 'response_format') as Record<string, number>;
      expect(ajv.validate(schema, value), JSON.stringify(ajv.errors)).toBe(true);
      expect(value.servings).toBeLessThanOrEqual(101);
      expect(value.balance).toBeLessThanOrEqual(100);
      expect(value.below).toBeGreaterThanOrEqual(-105);
      expect(value.step).toBeLessThanOrEqual(2501);
    }
  });

  it('validates recursive ($ref) and nested strict schemas like those zod emits', () => {
    const tree = {
      type: 'object',
      properties: { root: { $ref: '#/$defs/node' } },
      required: ['root'],
      additionalProperties: false,
      $defs: { node: { type: 'object', properties: { value: { type: 'number' }, children: { type: 'array', items: { $ref: '#/$defs/node' } } }, required: ['value', 'children'], additionalProperties: false } },
    };
    for (const seed of ['1', '2', '3']) expect(ajv.validate(tree, fakeJson(tree, seed, 'response_format')), seed).toBe(true);
  });

  it('refuses, naming the param, a schema it cannot satisfy or that demands a huge value', () => {
    expect(() => fakeJson(false, 's', 'tools[0].function.parameters')).toThrow(expect.objectContaining({ code: 'invalid_request', param: 'tools[0].function.parameters' }));
    expect(() => fakeJson({ type: 'string', minLength: 1_000_000 }, 's', 'response_format')).toThrow(expect.objectContaining({ code: 'invalid_request' }));
    expect(() => fakeJson({ type: 'string', pattern: 'a{99999999}' }, 's', 'response_format')).toThrow(expect.objectContaining({ code: 'invalid_request' }));
    expect(() => fakeJson('nope', 's', 'response_format')).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });
});
