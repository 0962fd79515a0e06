import { BUDGET_PERIODS, type BudgetPeriod } from '../budget/budget-period.js';
import { FrugalError } from '../errors/frugal-error.js';
import type { SqlValue } from './sql-client.js';
import type { VirtualKey } from './virtual-key.js';

/** Every column but secret_hash, which only authentication reads. */
export const KEY_COLUMNS = [
  'id',
  'name',
  'team',
  'allowed_models',
  'budget_limit_usd',
  'budget_period',
  'budget_hard',
  'rpm',
  'tpm',
  'default_tags',
  'expires_at',
  'created_at',
  'revoked_at',
  'rotated_at',
] as const;

/** The values of KEY_COLUMNS, in order. */
export function encodeKeyRow(key: VirtualKey): SqlValue[] {
  return [
    key.id,
    key.name,
    key.team,
    key.allowedModels === null ? null : JSON.stringify(key.allowedModels),
    key.budget?.limitUsd ?? null,
    key.budget?.period ?? null,
    key.budget?.hard ?? null,
    key.rateLimits.rpm,
    key.rateLimits.tpm,
    JSON.stringify(key.defaultTags),
    key.expiresAt,
    key.createdAt,
    key.revokedAt,
    key.rotatedAt,
  ];
}

function corrupt(id: unknown, column: string): FrugalError {
  return new FrugalError('internal_error', `key store: row ${String(id)} has an unreadable ${column}`);
}

// Postgres returns BIGINT as text, SQLite as a number; both are ms timestamps or per-minute limits, well
// inside 2^53.
function integerOrNull(row: Record<string, unknown>, column: string): number | null {
  const value = row[column];
  if (value === null || value === undefined) return null;
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw corrupt(row.id, column);
  return number;
}

function textOrNull(row: Record<string, unknown>, column: string): string | null {
  const value = row[column];
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw corrupt(row.id, column);
  return value;
}

function json<T>(row: Record<string, unknown>, column: string): T | null {
  const text = textOrNull(row, column);
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw corrupt(row.id, column);
  }
}

/** A row as either driver returns it → VirtualKey. */
export function decodeKeyRow(row: Record<string, unknown>): VirtualKey {
  const limitUsd = textOrNull(row, 'budget_limit_usd');
  const period = textOrNull(row, 'budget_period');
  if (limitUsd !== null && !BUDGET_PERIODS.includes(period as BudgetPeriod)) throw corrupt(row.id, 'budget_period');
  const createdAt = integerOrNull(row, 'created_at');
  if (createdAt === null) throw corrupt(row.id, 'created_at');
  return {
    id: String(row.id),
    name: String(row.name),
    team: textOrNull(row, 'team'),
    allowedModels: json<string[]>(row, 'allowed_models'),
    // SQLite stores the flag as 0/1, Postgres as a boolean.
    budget: limitUsd === null ? null : { limitUsd, period: period as BudgetPeriod, hard: row.budget_hard === true || row.budget_hard === 1 },
    rateLimits: { rpm: integerOrNull(row, 'rpm'), tpm: integerOrNull(row, 'tpm') },
    defaultTags: json<Record<string, string>>(row, 'default_tags') ?? {},
    expiresAt: integerOrNull(row, 'expires_at'),
    createdAt,
    revokedAt: integerOrNull(row, 'revoked_at'),
    rotatedAt: integerOrNull(row, 'rotated_at'),
  };
}
