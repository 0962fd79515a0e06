import type { KeyBudget, KeyRateLimits, VirtualKey } from './virtual-key.js';

/**
 * What a new key carries, already validated (parseCreateKeyRequest turns the admin API's and the CLI's
 * input into this).
 */
export interface CreateKeyInput {
  name: string;
  team?: string | null;
  allowedModels?: string[] | null;
  budget?: KeyBudget | null;
  rateLimits?: Partial<KeyRateLimits>;
  defaultTags?: Record<string, string>;
  expiresAt?: number | null;
}

/** A key together with its plaintext: returned by create and rotate only, and never stored. */
export interface IssuedKey {
  key: VirtualKey;
  plaintext: string;
}

export interface ListKeysQuery {
  /** Revoked keys are left out unless asked for; expired ones are listed (they are still visible history). */
  includeRevoked?: boolean;
}

/**
 * Where virtual keys live: the ledger's database (SQLite file or Postgres schema), table frugal_keys.
 * One implementation over two SQL backends; both pass key-store.case.ts.
 */
export interface KeyStore {
  /** Brings the shared schema (ledger and keys) up to date. Idempotent. */
  migrate(): Promise<void>;
  create(input: CreateKeyInput): Promise<IssuedKey>;
  /** Oldest first (keys created in the same millisecond: by id). */
  list(query?: ListKeysQuery): Promise<VirtualKey[]>;
  get(id: string): Promise<VirtualKey | undefined>;
  /** Idempotent: revoking a revoked key returns it unchanged. Throws not_found for an unknown id. */
  revoke(id: string): Promise<VirtualKey>;
  /** A new plaintext for the same id and settings; the old one stops working at once. Revoked keys refuse. */
  rotate(id: string): Promise<IssuedKey>;
  /** The key a plaintext belongs to; undefined when unknown, revoked or expired. */
  authenticate(plaintext: string): Promise<VirtualKey | undefined>;
  /** How many keys are active (neither revoked nor expired). */
  count(): Promise<number>;
  /**
   * How many keys were ever issued, revoked and expired included: zero means the gateway is open. Revoking the
   * last key must not open the gateway to everyone.
   */
  countIssued(): Promise<number>;
  close(): Promise<void>;
}
