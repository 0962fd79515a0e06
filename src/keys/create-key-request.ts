import { z } from 'zod';
import { BUDGET_PERIODS, type BudgetPeriod } from '../budget/budget-period.js';
import { formatNanosUsd } from '../catalog/pricing.js';
import { FrugalError } from '../errors/frugal-error.js';
import type { CreateKeyInput } from './key-store.js';
import { usdToNanos } from './virtual-key.js';

const DAY_MS = 86_400_000;
const TAG_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * The body of POST /admin/keys; the CLI builds the same object from its flags, so both are validated here.
 * Unknown fields are refused: a misspelt limit must not silently create an unlimited key.
 */
export const createKeyRequestSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  team: z.string().trim().min(1).max(100).nullish(),
  models: z.array(z.string().trim().min(1).max(200)).min(1, 'list at least one model or route, or leave models out to allow all').max(256).nullish(),
  budget_usd: z.union([z.string(), z.number().nonnegative()], { error: 'expected a decimal amount of USD, e.g. "50" or 12.75' }).nullish(),
  budget_period: z.enum(BUDGET_PERIODS as readonly [BudgetPeriod, ...BudgetPeriod[]]).optional(),
  budget_hard: z.boolean().optional(),
  rpm: z.int().positive().nullish(),
  tpm: z.int().positive().nullish(),
  expires_in_days: z.number().positive().max(36_500).nullish(),
  expires_at: z
    .union([z.iso.datetime({ offset: true }), z.iso.date(), z.int().positive()], { error: 'expected an ISO date or date-time, or ms since the epoch' })
    .nullish(),
  tags: z
    .record(z.string().regex(TAG_NAME, 'tag names are 1–64 letters, digits, _ . : or -'), z.string().min(1).max(256))
    .refine((tags) => Object.keys(tags).length <= 32, 'at most 32 tags')
    .optional(),
});

export type CreateKeyRequest = z.input<typeof createKeyRequestSchema>;

function invalid(param: string, why: string): FrugalError {
  return new FrugalError('invalid_request', `Invalid '${param}': ${why}`, { param });
}

function toInvalidRequest(error: z.ZodError): FrugalError {
  const issue = error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const [field] = issue.keys;
    return new FrugalError('invalid_request', `Unknown field '${field}'.`, { param: field });
  }
  const param = issue.path.map(String).join('.');
  if (param === '') return new FrugalError('invalid_request', 'The request body must be a JSON object.');
  if (issue.code === 'invalid_key') return invalid(param, `bad tag name: ${issue.issues[0]?.message ?? issue.message}`);
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) return invalid(param, 'is required');
  return invalid(param, issue.message);
}

/**
 * Admin API / CLI input → a validated CreateKeyInput. Budget amounts are kept as canonical decimal strings
 * ("50.50" → "50.5"); relative expiry is resolved against `now`.
 *
 * @example
 * parseCreateKeyRequest({ name: 'ci', budget_usd: '20', expires_in_days: 30 }, Date.now())
 */
export function parseCreateKeyRequest(body: unknown, now: number): CreateKeyInput {
  const parsed = createKeyRequestSchema.safeParse(body ?? undefined);
  if (!parsed.success) throw toInvalidRequest(parsed.error);
  const request = parsed.data;

  const limit = request.budget_usd ?? null;
  if (limit === null && (request.budget_period !== undefined || request.budget_hard !== undefined)) {
    const param = request.budget_period !== undefined ? 'budget_period' : 'budget_hard';
    throw invalid(param, 'only applies with budget_usd');
  }
  let limitUsd: string | undefined;
  if (limit !== null) {
    const nanos = usdToNanos(typeof limit === 'number' ? String(limit) : limit.trim(), 'budget_usd');
    if (nanos === 0) throw invalid('budget_usd', 'must be more than 0 (revoke the key to stop its use)');
    limitUsd = formatNanosUsd(nanos);
  }

  const inDays = request.expires_in_days ?? null;
  const at = request.expires_at ?? null;
  if (inDays !== null && at !== null) throw invalid('expires_at', 'give expires_in_days or expires_at, not both');
  let expiresAt: number | null = null;
  if (inDays !== null) expiresAt = now + Math.round(inDays * DAY_MS);
  if (at !== null) {
    expiresAt = typeof at === 'number' ? at : Date.parse(at);
    if (expiresAt <= now) throw invalid('expires_at', `${new Date(expiresAt).toISOString()} is already past`);
  }

  return {
    name: request.name,
    team: request.team ?? null,
    allowedModels: request.models ? [...new Set(request.models)] : null,
    budget: limitUsd === undefined ? null : { limitUsd, period: request.budget_period ?? 'month', hard: request.budget_hard ?? true },
    rateLimits: { rpm: request.rpm ?? null, tpm: request.tpm ?? null },
    defaultTags: request.tags ?? {},
    expiresAt,
  };
}
