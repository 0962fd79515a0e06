import { describe, expect, it } from 'vitest';
import { pairTable, parseRoutingDataset } from './routing-dataset.js';

const OUTCOMES = [
  '{"id":"a","prompt":"2+2?","outcomes":{"gpt-4-1106-preview":1,"mistralai/Mixtral-8x7B-Instruct-v0.1":0}}',
  '',
  '{"id":"b","prompt":"Capital of France?","outcomes":{"gpt-4-1106-preview":1,"mistralai/Mixtral-8x7B-Instruct-v0.1":1}}',
].join('\n');

const MODELS = [
  '{"id":"x","dataset":"mbpp","prompt":"Write a function","models":{"gpt-4-1106-preview":{"correct":1,"response":"r","cost_usd":0.00533},"mistralai/mixtral-8x7b-chat":{"correct":0,"response":"r","cost_usd":0.0000271}}}',
  '{"id":"y","dataset":"arc","prompt":"Pick A","models":{"gpt-4-1106-preview":{"correct":0,"response":"r","cost_usd":0.1},"mistralai/mixtral-8x7b-chat":{"correct":1,"response":"r","cost_usd":0.0003}}}',
].join('\n');

describe('parseRoutingDataset', () => {
  it('reads the RouteLLM outcomes format', () => {
    const dataset = parseRoutingDataset(OUTCOMES);
    expect(dataset.format).toBe('outcomes');
    expect(dataset.rows.map((row) => row.id)).toEqual(['a', 'b']);
    expect(dataset.rows[0].quality['gpt-4-1106-preview']).toBe(1);
    expect(dataset.models).toEqual(['gpt-4-1106-preview', 'mistralai/Mixtral-8x7B-Instruct-v0.1']);
  });

  it('reads the RouterBench models format with costs in integer nano-dollars', () => {
    const dataset = parseRoutingDataset(MODELS);
    expect(dataset.format).toBe('models');
    expect(dataset.rows[0].group).toBe('mbpp');
    expect(dataset.rows[0].costNanoUsd).toEqual({ 'gpt-4-1106-preview': 5_330_000, 'mistralai/mixtral-8x7b-chat': 27_100 });
  });

  it('names the line of a malformed row', () => {
    expect(() => parseRoutingDataset('{"id":"a","prompt":"p","outcomes":{"m":1}}\n{"id":"b"}', 'f.jsonl')).toThrow(/f\.jsonl:2/);
    expect(() => parseRoutingDataset('{oops', 'f.jsonl')).toThrow(expect.objectContaining({ code: 'invalid_json' }));
  });
});

describe('pairTable', () => {
  it('uses the stated price ratio when the file has no costs', () => {
    const table = pairTable(parseRoutingDataset(OUTCOMES));
    expect([...table.strongQuality]).toEqual([1, 1]);
    expect([...table.weakQuality]).toEqual([0, 1]);
    expect(table.weakCost[0] / table.strongCost[0]).toBeCloseTo(0.24 / 24.7, 12);
    expect(Number.isInteger(table.strongCost[0]) && Number.isInteger(table.weakCost[0])).toBe(true);
    expect(table.assumptions[0]).toMatch(/price-ratio/);
  });

  it('uses the real costs of a RouterBench file and the configured weak model', () => {
    const table = pairTable(parseRoutingDataset(MODELS));
    expect([...table.strongCost]).toEqual([5_330_000, 100_000_000]);
    expect([...table.weakCost]).toEqual([27_100, 300_000]);
    expect(table.costUnit).toBe('nano-USD');
  });

  it('rejects a model that is not in the data', () => {
    expect(() => pairTable(parseRoutingDataset(MODELS), { weak: 'nope' })).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });
});
