import { keyStatus, type KeyStatus, type VirtualKey } from './virtual-key.js';

/** A key as the admin API and `frugal keys --json` show it: the create request's field names, no secret. */
export interface KeyJson {
  object: 'virtual_key';
  id: string;
  name: string;
  status: KeyStatus;
  team: string | null;
  models: string[] | null;
  budget_usd: string | null;
  budget_period: string | null;
  budget_hard: boolean | null;
  rpm: number | null;
  tpm: number | null;
  tags: Record<string, string>;
  expires_at: string | null;
  created_at: string;
  revoked_at: string | null;
  rotated_at: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toKeyJson(key: VirtualKey, now: number): KeyJson {
  return {
    object: 'virtual_key',
    id: key.id,
    name: key.name,
    status: keyStatus(key, now),
    team: key.team,
    models: key.allowedModels,
    budget_usd: key.budget?.limitUsd ?? null,
    budget_period: key.budget?.period ?? null,
    budget_hard: key.budget?.hard ?? null,
    rpm: key.rateLimits.rpm,
    tpm: key.rateLimits.tpm,
    tags: key.defaultTags,
    expires_at: iso(key.expiresAt),
    created_at: new Date(key.createdAt).toISOString(),
    revoked_at: iso(key.revokedAt),
    rotated_at: iso(key.rotatedAt),
  };
}
