import { describe, expect, it } from 'vitest';
import { parseCreateKeyRequest } from './create-key-request.js';
import { budgetLimitNanos, usdToNanos } from './virtual-key.js';

const NOW = Date.UTC(2025, 5, 1);

function refusal(body: unknown) {
  try {
    parseCreateKeyRequest(body, NOW);
  } catch (error) {
    return error as { code: string; param: string | null; message: string };
  }
  throw new Error('expected a refusal');
}

describe('parseCreateKeyRequest', () => {
  it('turns the full request into a key input with canonical values', () => {
    expect(
      parseCreateKeyRequest(
        {
          name: '  growth bot ',
          team: 'growth',
          models: ['gpt-4o-mini', 'auto', 'gpt-4o-mini'],
          budget_usd: '50.50',
          budget_period: 'week',
          budget_hard: false,
          rpm: 60,
          tpm: 100_000,
          expires_in_days: 30,
          tags: { feature: 'summarize' },
        },
        NOW,
      ),
    ).toEqual({
      name: 'growth bot',
      team: 'growth',
      allowedModels: ['gpt-4o-mini', 'auto'],
      budget: { limitUsd: '50.5', period: 'week', hard: false },
      rateLimits: { rpm: 60, tpm: 100_000 },
      defaultTags: { feature: 'summarize' },
      expiresAt: NOW + 30 * 86_400_000,
    });
  });

  it('defaults to no limits, a hard monthly budget when only an amount is given, and accepts numbers', () => {
    expect(parseCreateKeyRequest({ name: 'a' }, NOW)).toEqual({
      name: 'a',
      team: null,
      allowedModels: null,
      budget: null,
      rateLimits: { rpm: null, tpm: null },
      defaultTags: {},
      expiresAt: null,
    });
    expect(parseCreateKeyRequest({ name: 'a', budget_usd: 12.75 }, NOW).budget).toEqual({ limitUsd: '12.75', period: 'month', hard: true });
  });

  it('reads expires_at as an ISO date, date-time or ms, and refuses one in the past', () => {
    expect(parseCreateKeyRequest({ name: 'a', expires_at: '2026-01-01' }, NOW).expiresAt).toBe(Date.UTC(2026, 0, 1));
    expect(parseCreateKeyRequest({ name: 'a', expires_at: '2026-01-01T02:00:00+02:00' }, NOW).expiresAt).toBe(Date.UTC(2026, 0, 1));
    expect(parseCreateKeyRequest({ name: 'a', expires_at: NOW + 1 }, NOW).expiresAt).toBe(NOW + 1);
    expect(refusal({ name: 'a', expires_at: NOW })).toMatchObject({ code: 'invalid_request', param: 'expires_at' });
    expect(refusal({ name: 'a', expires_at: 'next week' })).toMatchObject({ param: 'expires_at' });
    expect(refusal({ name: 'a', expires_at: '2026-01-01', expires_in_days: 3 })).toMatchObject({ param: 'expires_at' });
  });

  it('names the field at fault', () => {
    const cases: Array<[unknown, string]> = [
      [{}, 'name'],
      [{ name: '   ' }, 'name'],
      [{ name: 'a', models: [] }, 'models'],
      [{ name: 'a', models: ['ok', ''] }, 'models.1'],
      [{ name: 'a', budget_usd: 'fifty' }, 'budget_usd'],
      [{ name: 'a', budget_usd: '1.0000000001' }, 'budget_usd'],
      [{ name: 'a', budget_usd: '0' }, 'budget_usd'],
      [{ name: 'a', budget_usd: '99999999' }, 'budget_usd'],
      [{ name: 'a', budget_usd: -5 }, 'budget_usd'],
      [{ name: 'a', budget_usd: '5', budget_period: 'year' }, 'budget_period'],
      [{ name: 'a', budget_period: 'day' }, 'budget_period'],
      [{ name: 'a', budget_hard: false }, 'budget_hard'],
      [{ name: 'a', rpm: 0 }, 'rpm'],
      [{ name: 'a', tpm: 1.5 }, 'tpm'],
      [{ name: 'a', expires_in_days: -1 }, 'expires_in_days'],
      [{ name: 'a', tags: { team: 7 } }, 'tags.team'],
      [{ name: 'a', tags: { 'bad name': 'x' } }, 'tags.bad name'],
      [{ name: 'a', budget: 50 }, 'budget'],
    ];
    for (const [body, param] of cases) {
      const error = refusal(body);
      expect(error, JSON.stringify(body)).toMatchObject({ code: 'invalid_request', param });
      expect(error.message).toContain(`'${param.split('.')[0]}`);
    }
  });

  it('refuses a body that is not an object', () => {
    for (const body of [null, undefined, 'name=a', [1]]) expect(refusal(body)).toMatchObject({ code: 'invalid_request', param: null });
  });
});

describe('usdToNanos', () => {
  it('converts decimal USD to integer nano-dollars exactly', () => {
    expect(usdToNanos('0.000000001')).toBe(1);
    expect(usdToNanos('12.5')).toBe(12_500_000_000);
    expect(usdToNanos('9007199.254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => usdToNanos('9007199.254740992')).toThrow(expect.objectContaining({ code: 'invalid_request' }));
    expect(budgetLimitNanos({ limitUsd: '0.1', period: 'day', hard: true })).toBe(100_000_000);
  });
});
