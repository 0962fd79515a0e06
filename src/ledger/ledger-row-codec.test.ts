import { describe, expect, it } from 'vitest';
import { decodeLedgerRow, encodeLedgerRow, LEDGER_COLUMN_NAMES, ledgerRowProblem, storableText } from './ledger-row-codec.js';
import { ledgerWorkload } from './ledger-store.case.js';

describe('ledger row codec', () => {
  const [row] = ledgerWorkload();

  it('names a problem the database would refuse, and none for a good row', () => {
    expect(ledgerRowProblem(row)).toBeUndefined();
    expect(ledgerRowProblem({ ...row, costNanos: 0.5 })).toMatch(/^costNanos/);
    expect(ledgerRowProblem({ ...row, promptTokens: 2 ** 53 })).toMatch(/^promptTokens/);
    expect(ledgerRowProblem({ ...row, latencyMs: Number.POSITIVE_INFINITY })).toMatch(/^latencyMs/);
    expect(ledgerRowProblem({ ...row, ttftMs: Number.NaN })).toMatch(/^ttftMs/);
    expect(ledgerRowProblem({ ...row, ttftMs: null })).toBeUndefined();
  });

  it('encodes one value per column: JSON text for tags and warnings, 1/0 booleans for SQLite', () => {
    const values = encodeLedgerRow({ ...row, tags: { team: 'core' }, stream: true, tokensEstimated: false }, 'integer');
    const byColumn = Object.fromEntries(LEDGER_COLUMN_NAMES.map((column, index) => [column, values[index]]));
    expect(values).toHaveLength(LEDGER_COLUMN_NAMES.length);
    expect(byColumn).toMatchObject({ tags: '{"team":"core"}', stream: 1, tokens_estimated: 0, end_user: null, cost_nanos: row.costNanos });
    expect(encodeLedgerRow(row, 'native')[LEDGER_COLUMN_NAMES.indexOf('stream')]).toBe(true);
  });

  it('decodes what either driver returns (bigint, numeric text, 0/1, booleans) to the same row', () => {
    const saving = {
      ...row, savedNanos: 8_000_004, baselineNanos: row.costNanos + 8_000_004, savedRoutingNanos: -1_000_000, savedCacheNanos: 9_000_000,
      savedCompressionNanos: 3, savedPromptCacheNanos: 1, task: 'summarize',
    };
    const values = encodeLedgerRow(saving, 'integer');
    expect(values[LEDGER_COLUMN_NAMES.indexOf('saved_nanos')]).toBe(8_000_004);
    expect(values[LEDGER_COLUMN_NAMES.indexOf('task')]).toBe('summarize');
    expect(values[LEDGER_COLUMN_NAMES.indexOf('saved_routing_nanos')]).toBe(-1_000_000);
    const sqlite = Object.fromEntries(LEDGER_COLUMN_NAMES.map((column, index) => [column, typeof values[index] === 'number' && Number.isInteger(values[index]) ? BigInt(values[index] as number) : values[index]]));
    const postgresValues = encodeLedgerRow(saving, 'native');
    const postgres = Object.fromEntries(LEDGER_COLUMN_NAMES.map((column, index) => [column, ['ts', 'cost_nanos', 'saved_nanos', 'baseline_nanos', 'saved_routing_nanos', 'saved_cache_nanos', 'saved_compression_nanos', 'saved_prompt_cache_nanos', 'prompt_tokens'].includes(column) ? String(postgresValues[index]) : postgresValues[index]]));
    expect(decodeLedgerRow(sqlite)).toEqual(saving);
    expect(decodeLedgerRow(postgres)).toEqual(saving);
  });

  it('refuses a fractional or unsafe saving, baseline or part like a fractional cost', () => {
    expect(ledgerRowProblem({ ...row, savedNanos: 0.5 })).toMatch(/^savedNanos/);
    expect(ledgerRowProblem({ ...row, baselineNanos: 0.5 })).toMatch(/^baselineNanos/);
    expect(ledgerRowProblem({ ...row, savedRoutingNanos: -(2 ** 53) })).toMatch(/^savedRoutingNanos/);
    expect(ledgerRowProblem({ ...row, savedPromptCacheNanos: Number.NaN })).toMatch(/^savedPromptCacheNanos/);
  });

  it('makes text storable without splitting a surrogate pair at the cut, and leaves clean text as it is', () => {
    expect(storableText('a\u0000b\uD800c\uDC00', 100)).toBe('a\uFFFDb\uFFFDc\uFFFD');
    expect(storableText('ok 😀', 100)).toBe('ok 😀');
    // The cut falls between the halves of 😀: the half is dropped, not kept alone.
    expect(storableText('abc😀def', 5)).toBe('abc…');
    expect(storableText('abcdef', 6)).toBe('abcdef');
    expect(storableText('abcdefg', 6)).toBe('abcde…');
  });
});
