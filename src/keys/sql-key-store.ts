import { FrugalError } from '../errors/frugal-error.js';
import { decodeKeyRow, encodeKeyRow, KEY_COLUMNS } from './key-row-codec.js';
import { keyNotFound } from './key-not-found.js';
import { defaultRandomBytes, hashesMatch, hashKey, keyIdOf, newKeyId, newKeyMaterial, type RandomBytes } from './key-secret.js';
import type { CreateKeyInput, IssuedKey, KeyStore, ListKeysQuery } from './key-store.js';
import type { SqlClient } from './sql-client.js';
import { keyStatus, type VirtualKey } from './virtual-key.js';
import { storeError } from '../errors/store-error.js';

export const KEYS_TABLE = 'frugal_keys';

export interface SqlKeyStoreOptions {
  now?: () => number;
  randomBytes?: RandomBytes;
}

/**
 * The key store, written once over a SqlClient (SQLite or Postgres). Only SHA-256(plaintext) is stored;
 * authentication looks the row up by the id embedded in the plaintext and compares hashes in constant time.
 *
 * @example
 * const store = createSqlKeyStore(createSqliteSqlClient({ path: '.frugal/ledger.sqlite' }));
 * await store.migrate();
 * const { key, plaintext } = await store.create({ name: 'ci' });
 */
export function createSqlKeyStore(client: SqlClient, { now = Date.now, randomBytes = defaultRandomBytes }: SqlKeyStoreOptions = {}): KeyStore {
  const d = client.dialect;
  const table = d.table(KEYS_TABLE);
  const columns = KEY_COLUMNS.join(', ');
  const insertColumns = [...KEY_COLUMNS, 'secret_hash'];
  const sql = {
    insert: `INSERT INTO ${table} (${insertColumns.join(', ')}) VALUES (${insertColumns.map((_, index) => d.param(index + 1)).join(', ')})`,
    byId: `SELECT ${columns} FROM ${table} WHERE id = ${d.param(1)}`,
    withHashById: `SELECT ${columns}, secret_hash FROM ${table} WHERE id = ${d.param(1)}`,
    listAll: `SELECT ${columns} FROM ${table} ORDER BY created_at, id`,
    listUnrevoked: `SELECT ${columns} FROM ${table} WHERE revoked_at IS NULL ORDER BY created_at, id`,
    revoke: `UPDATE ${table} SET revoked_at = ${d.param(1)} WHERE id = ${d.param(2)} AND revoked_at IS NULL`,
    // One statement: the old hash is gone the moment the new one is written.
    rotate: `UPDATE ${table} SET secret_hash = ${d.param(1)}, rotated_at = ${d.param(2)} WHERE id = ${d.param(3)} AND revoked_at IS NULL`,
    countIssued: `SELECT COUNT(*) AS issued FROM ${table}`,
    countActive: `SELECT COUNT(*) AS active FROM ${table} WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ${d.param(1)})`,
  };

  async function guarded<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      // Values (hashes) are bound, never part of a statement's text, so no driver message quotes one.
      throw storeError(`key store (${d.name})`, operation, error);
    }
  }

  async function get(id: string): Promise<VirtualKey | undefined> {
    const [row] = await client.all(sql.byId, [id]);
    return row === undefined ? undefined : decodeKeyRow(row);
  }

  async function getOrThrow(id: string): Promise<VirtualKey> {
    const key = await get(id);
    if (!key) throw keyNotFound(id);
    return key;
  }

  return {
    migrate: () => guarded('migrate', () => client.migrate()),

    create: (input: CreateKeyInput) =>
      guarded('create', async () => {
        const material = newKeyMaterial(newKeyId(randomBytes), randomBytes);
        const key: VirtualKey = {
          id: material.id,
          name: input.name,
          team: input.team ?? null,
          allowedModels: input.allowedModels ?? null,
          budget: input.budget ?? null,
          rateLimits: { rpm: input.rateLimits?.rpm ?? null, tpm: input.rateLimits?.tpm ?? null },
          defaultTags: input.defaultTags ?? {},
          expiresAt: input.expiresAt ?? null,
          createdAt: now(),
          revokedAt: null,
          rotatedAt: null,
        };
        await client.run(sql.insert, [...encodeKeyRow(key), material.hash]);
        return { key, plaintext: material.plaintext };
      }),

    list: ({ includeRevoked = false }: ListKeysQuery = {}) =>
      guarded('list', async () => (await client.all(includeRevoked ? sql.listAll : sql.listUnrevoked)).map(decodeKeyRow)),

    get: (id) => guarded('get', () => get(id)),

    revoke: (id) =>
      guarded('revoke', async () => {
        await client.run(sql.revoke, [now(), id]);
        // Unchanged when already revoked: the first revocation time is the one that counts.
        return getOrThrow(id);
      }),

    rotate: (id) =>
      guarded('rotate', async () => {
        const material = newKeyMaterial(id, randomBytes);
        const changed = await client.run(sql.rotate, [material.hash, now(), id]);
        const key = await getOrThrow(id);
        if (changed === 0) throw new FrugalError('invalid_request', `The virtual key '${id}' is revoked; create a new key instead.`, { param: 'id' });
        return { key, plaintext: material.plaintext };
      }),

    authenticate: (plaintext) =>
      guarded('authenticate', async () => {
        const id = keyIdOf(plaintext);
        if (id === undefined) return undefined;
        // Looked up by the public id, so response time may tell whether an id exists (ids are not secret)
        // but never how close a guess of the secret was.
        const [row] = await client.all(sql.withHashById, [id]);
        if (row === undefined || typeof row.secret_hash !== 'string') return undefined;
        if (!hashesMatch(row.secret_hash, hashKey(plaintext))) return undefined;
        const key = decodeKeyRow(row);
        return keyStatus(key, now()) === 'active' ? key : undefined;
      }),

    count: () =>
      guarded('count', async () => {
        const [row] = await client.all(sql.countActive, [now()]);
        return Number(row?.active ?? 0);
      }),

    countIssued: () =>
      guarded('count', async () => {
        const [row] = await client.all(sql.countIssued, []);
        return Number(row?.issued ?? 0);
      }),

    close: () => client.close(),
  };
}
