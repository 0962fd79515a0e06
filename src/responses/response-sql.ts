import type { FrugalError } from '../errors/frugal-error.js';
import type { SqlDialect } from '../ledger/sql-dialect.js';
import type { ResponseObject, StoredInputItem } from '../wire/responses/responses-types.js';
import { RESPONSES_TABLE } from './response-migrations.js';
import { ownerColumn, type StoredResponse } from './response-store.js';
import { storeError } from '../errors/store-error.js';

/** The statements both SQL stores send; values are always bound, never spliced. */
export function responseSql(d: SqlDialect) {
  const table = d.table(RESPONSES_TABLE);
  const p = (index: number) => d.param(index);
  return {
    // Saving an id again replaces it only within the same owner: another key can never overwrite a response.
    upsert:
      `INSERT INTO ${table} (id, owner, created_at, previous_response_id, input_items, response) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}) ` +
      `ON CONFLICT (id) DO UPDATE SET input_items = excluded.input_items, response = excluded.response WHERE ${table}.owner = excluded.owner`,
    // Only over a row still there: a response deleted while it streamed stays deleted.
    replace: `UPDATE ${table} SET input_items = ${p(1)}, response = ${p(2)} WHERE id = ${p(3)} AND owner = ${p(4)}`,
    get: `SELECT id, owner, created_at, previous_response_id, input_items, response FROM ${table} WHERE id = ${p(1)} AND owner = ${p(2)}`,
    delete: `DELETE FROM ${table} WHERE id = ${p(1)} AND owner = ${p(2)}`,
  };
}

/** Bind values for `upsert`. JSON text is always storable: JSON.stringify escapes NUL and lone surrogates. */
export function encodeResponse(stored: StoredResponse): Array<string | number | null> {
  return [stored.id, ownerColumn(stored.owner), stored.createdAt, stored.previousResponseId, JSON.stringify(stored.inputItems), JSON.stringify(stored.response)];
}

/** Bind values for `replace`. */
export function encodeReplacement(stored: StoredResponse): Array<string> {
  return [JSON.stringify(stored.inputItems), JSON.stringify(stored.response), stored.id, ownerColumn(stored.owner)];
}

export function decodeResponse(row: Record<string, unknown>): StoredResponse {
  const owner = String(row.owner);
  return {
    id: String(row.id),
    owner: owner === '' ? null : owner,
    createdAt: Number(row.created_at),
    previousResponseId: row.previous_response_id === null || row.previous_response_id === undefined ? null : String(row.previous_response_id),
    inputItems: JSON.parse(String(row.input_items)) as StoredInputItem[],
    response: JSON.parse(String(row.response)) as ResponseObject,
  };
}

export function responseStoreError(backend: string, operation: string, error: unknown): FrugalError {
  // Values are bound, never part of a statement's text, so no driver message quotes a stored response.
  return storeError(`response store (${backend})`, operation, error);
}
