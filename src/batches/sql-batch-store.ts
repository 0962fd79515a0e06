import type { SqlDialect } from '../ledger/sql-dialect.js';
import type { LedgerRow } from '../ledger/ledger-row.js';
import { creationTimeOfId } from './batch-ids.js';
import type { BatchStore, BatchUpdate, ListOptions, NewFile } from './batch-store.js';
import { BATCH_LINES_TABLE, BATCH_UPSTREAMS_TABLE, BATCHES_TABLE, FILES_TABLE } from './batch-migrations.js';
import type { BatchLine, BatchStatus, LineResult, NewLine, StoredBatch, StoredFile, UpstreamBatch } from './batch-types.js';

export type SqlParam = string | number | null | Buffer;

/** The little the batch store needs from a database: SQL written once, bound by each driver. */
export interface BatchSql {
  readonly dialect: SqlDialect;
  all(sql: string, params?: readonly SqlParam[]): Promise<Array<Record<string, unknown>>>;
  run(sql: string, params?: readonly SqlParam[]): Promise<number>;
  /** Runs every statement or none. */
  atomically(statements: ReadonlyArray<readonly [string, readonly SqlParam[]]>): Promise<void>;
}

/** Where file bytes live: files under the data dir (SQLite) or bytea chunks (PostgreSQL). */
export interface FileBytes {
  /** Writes the bytes; returns their count. Throws RangeError past maxBytes, keeping nothing. */
  write(id: string, content: AsyncIterable<Uint8Array>, maxBytes: number): Promise<number>;
  read(id: string): AsyncIterable<Buffer>;
  remove(id: string): Promise<void>;
}

const num = (value: unknown): number => Number(value);
const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

function decodeFile(row: Record<string, unknown>): StoredFile {
  return {
    id: String(row.id),
    owner: String(row.owner),
    filename: String(row.filename),
    purpose: String(row.purpose),
    bytes: num(row.bytes),
    createdAt: num(row.created_at),
    expiresAt: numOrNull(row.expires_at),
  };
}

function decodeBatch(row: Record<string, unknown>): StoredBatch {
  return {
    id: String(row.id),
    owner: String(row.owner),
    status: String(row.status) as BatchStatus,
    endpoint: String(row.endpoint) as StoredBatch['endpoint'],
    inputFileId: String(row.input_file_id),
    completionWindow: String(row.completion_window),
    metadata: row.metadata === null ? null : JSON.parse(String(row.metadata)),
    createdAt: num(row.created_at),
    expiresAt: num(row.expires_at),
    times: JSON.parse(String(row.times)),
    outputFileId: (row.output_file_id as string | null) ?? null,
    errorFileId: (row.error_file_id as string | null) ?? null,
    errors: row.errors === null ? null : JSON.parse(String(row.errors)),
    total: num(row.total),
    caller: JSON.parse(String(row.caller)),
  };
}

function decodeLine(row: Record<string, unknown>): BatchLine {
  return {
    batchId: String(row.batch_id),
    lineNo: num(row.line_no),
    customId: (row.custom_id as string | null) ?? null,
    lane: String(row.lane) as BatchLine['lane'],
    provider: (row.provider as string | null) ?? null,
    body: JSON.parse(String(row.body)),
    state: String(row.state) as BatchLine['state'],
    upstreamId: (row.upstream_id as string | null) ?? null,
    result: row.result === null || row.result === undefined ? null : { ok: num(row.ok) === 1, line: JSON.parse(String(row.result)), costNanos: num(row.cost_nanos) },
  };
}

function decodeUpstream(row: Record<string, unknown>): UpstreamBatch {
  return {
    batchId: String(row.batch_id),
    provider: String(row.provider),
    lane: String(row.lane) as UpstreamBatch['lane'],
    upstreamId: String(row.upstream_id),
    upstreamFileId: (row.upstream_file_id as string | null) ?? null,
    state: String(row.state) as UpstreamBatch['state'],
    createdAt: num(row.created_at),
  };
}

/** The one BatchStore over SQLite and PostgreSQL: only the driver (`sql`) and the place of file bytes differ. */
export function createSqlBatchStore(sql: BatchSql, bytes: FileBytes, parts: { description: string; migrate: () => Promise<void>; close: () => Promise<void> }): BatchStore {
  const d = sql.dialect;
  const p = (index: number) => d.param(index);
  const files = d.table(FILES_TABLE);
  const batches = d.table(BATCHES_TABLE);
  const lines = d.table(BATCH_LINES_TABLE);
  const upstreams = d.table(BATCH_UPSTREAMS_TABLE);
  const ps = (count: number, from = 1) => Array.from({ length: count }, (_, index) => p(from + index)).join(', ');
  const LINE_COLUMNS = 'batch_id, line_no, custom_id, lane, provider, body, state, lease_until, upstream_id, ok, result, cost_nanos';
  const insertLine = `INSERT INTO ${lines} (${LINE_COLUMNS}) VALUES (${ps(12)}) ON CONFLICT (batch_id, line_no) DO NOTHING`;

  /** Keyset paging over (created_at, id): stable while rows are added. */
  async function page<T>(table: string, decode: (row: Record<string, unknown>) => T, options: ListOptions, extra: { clause: string; params: SqlParam[] }) {
    const desc = (options.order ?? 'desc') === 'desc';
    const params: SqlParam[] = [options.owner, ...extra.params];
    let cursor = '';
    if (options.after !== undefined) {
      const found = await sql.all(`SELECT created_at, id FROM ${table} WHERE id = ${p(1)} AND owner = ${p(2)}`, [options.after, options.owner]);
      // A cursor that names no item of the owner's (deleted while the caller paged, or never theirs) is placed where its
      // id sorts: ids carry their creation time (batch-ids.ts). One that carries none ends the list with an empty
      // page. Never the first page again: an SDK's auto-paging would start over, and could loop for ever.
      const at = found.length > 0 ? num(found[0].created_at) : creationTimeOfId(options.after, Date.now());
      if (at === undefined) return { data: [], hasMore: false };
      const op = desc ? '<' : '>';
      params.push(at, at, options.after);
      const n = params.length;
      cursor = ` AND (created_at ${op} ${p(n - 2)} OR (created_at = ${p(n - 1)} AND id ${op} ${p(n)}))`;
    }
    params.push(options.limit + 1);
    const direction = desc ? 'DESC' : 'ASC';
    const rows = await sql.all(
      `SELECT * FROM ${table} WHERE owner = ${p(1)}${extra.clause}${cursor} ORDER BY created_at ${direction}, id ${direction} LIMIT ${p(params.length)}`,
      params,
    );
    return { data: rows.slice(0, options.limit).map(decode), hasMore: rows.length > options.limit };
  }

  function lineParams(batchId: string, line: NewLine): SqlParam[] {
    const result = line.result;
    return [
      batchId,
      line.lineNo,
      line.customId,
      line.lane,
      line.provider,
      JSON.stringify(line.body ?? null),
      result ? 'done' : 'pending',
      null,
      null,
      result ? (result.ok ? 1 : 0) : null,
      result ? JSON.stringify(result.line) : null,
      result ? result.costNanos : null,
    ];
  }

  return {
    description: parts.description,
    migrate: parts.migrate,

    async putFile(file: NewFile, content, maxBytes) {
      const size = await bytes.write(file.id, content, maxBytes);
      try {
        await sql.run(`INSERT INTO ${files} (id, owner, filename, purpose, bytes, created_at, expires_at) VALUES (${ps(7)})`, [
          file.id,
          file.owner,
          file.filename,
          file.purpose,
          size,
          file.createdAt,
          file.expiresAt,
        ]);
      } catch (error) {
        // Another writer of the same id got there first (a batch's result file, whose content is fixed once its lines
        // are done): the bytes are theirs too, and stay.
        const stored = await sql.all(`SELECT * FROM ${files} WHERE id = ${p(1)}`, [file.id]).catch(() => []);
        if (stored.length > 0) return decodeFile(stored[0]);
        await bytes.remove(file.id).catch(() => undefined);
        throw error;
      }
      return { ...file, bytes: size };
    },
    async getFile(id, owner) {
      const rows =
        owner === undefined
          ? await sql.all(`SELECT * FROM ${files} WHERE id = ${p(1)}`, [id])
          : await sql.all(`SELECT * FROM ${files} WHERE id = ${p(1)} AND owner = ${p(2)}`, [id, owner]);
      return rows.length === 0 ? undefined : decodeFile(rows[0]);
    },
    readFile: (id) => bytes.read(id),
    listFiles(options) {
      return page(files, decodeFile, options, options.purpose === undefined ? { clause: '', params: [] } : { clause: ` AND purpose = ${p(2)}`, params: [options.purpose] });
    },
    async deleteFile(id, owner) {
      const changed = await sql.run(`DELETE FROM ${files} WHERE id = ${p(1)} AND owner = ${p(2)}`, [id, owner]);
      if (changed > 0) await bytes.remove(id);
      return changed > 0;
    },

    async createBatch(batch) {
      await sql.run(
        `INSERT INTO ${batches} (id, owner, status, endpoint, input_file_id, completion_window, metadata, created_at, expires_at, times, output_file_id, error_file_id, errors, total, caller) VALUES (${ps(15)})`,
        [
          batch.id,
          batch.owner,
          batch.status,
          batch.endpoint,
          batch.inputFileId,
          batch.completionWindow,
          batch.metadata === null ? null : JSON.stringify(batch.metadata),
          batch.createdAt,
          batch.expiresAt,
          JSON.stringify(batch.times),
          batch.outputFileId,
          batch.errorFileId,
          batch.errors === null ? null : JSON.stringify(batch.errors),
          batch.total,
          JSON.stringify(batch.caller),
        ],
      );
    },
    async getBatch(id, owner) {
      const rows =
        owner === undefined
          ? await sql.all(`SELECT * FROM ${batches} WHERE id = ${p(1)}`, [id])
          : await sql.all(`SELECT * FROM ${batches} WHERE id = ${p(1)} AND owner = ${p(2)}`, [id, owner]);
      return rows.length === 0 ? undefined : decodeBatch(rows[0]);
    },
    listBatches(options) {
      return page(batches, decodeBatch, { ...options, order: 'desc' }, { clause: '', params: [] });
    },
    async updateBatch(id, update: BatchUpdate, from) {
      const current = await this.getBatch(id);
      if (current === undefined || (from !== undefined && !from.includes(current.status))) return false;
      const sets: string[] = [];
      const params: SqlParam[] = [];
      const set = (column: string, value: SqlParam) => {
        params.push(value);
        sets.push(`${column} = ${p(params.length)}`);
      };
      if (update.status !== undefined) set('status', update.status);
      if (update.times !== undefined) set('times', JSON.stringify({ ...current.times, ...update.times }));
      if (update.outputFileId !== undefined) set('output_file_id', update.outputFileId);
      if (update.errorFileId !== undefined) set('error_file_id', update.errorFileId);
      if (update.errors !== undefined) set('errors', update.errors === null ? null : JSON.stringify(update.errors));
      if (update.total !== undefined) set('total', update.total);
      if (sets.length === 0) return true;
      // Compare-and-set on the status read above: of two instances moving one batch, one wins.
      params.push(id, current.status);
      const changed = await sql.run(`UPDATE ${batches} SET ${sets.join(', ')} WHERE id = ${p(params.length - 1)} AND status = ${p(params.length)}`, params);
      return changed > 0;
    },
    async batchesIn(states, limit) {
      const rows = await sql.all(`SELECT * FROM ${batches} WHERE status IN (${ps(states.length)}) ORDER BY created_at, id LIMIT ${p(states.length + 1)}`, [...states, limit]);
      return rows.map(decodeBatch);
    },
    async deleteBatch(id) {
      await sql.atomically([
        [`DELETE FROM ${lines} WHERE batch_id = ${p(1)}`, [id]],
        [`DELETE FROM ${upstreams} WHERE batch_id = ${p(1)}`, [id]],
        [`DELETE FROM ${batches} WHERE id = ${p(1)}`, [id]],
      ]);
    },

    async addLines(batchId, newLines) {
      if (newLines.length === 0) return;
      await sql.atomically(newLines.map((line) => [insertLine, lineParams(batchId, line)] as const));
    },
    async lines(batchId, fromLine, toLine) {
      const rows = await sql.all(`SELECT * FROM ${lines} WHERE batch_id = ${p(1)} AND line_no >= ${p(2)} AND line_no <= ${p(3)} ORDER BY line_no`, [batchId, fromLine, toLine]);
      return rows.map(decodeLine);
    },
    async openLines(batchId, lane, limit) {
      const rows = await sql.all(
        `SELECT * FROM ${lines} WHERE batch_id = ${p(1)} AND lane = ${p(2)} AND state IN ('pending', 'running') ORDER BY line_no LIMIT ${p(3)}`,
        [batchId, lane, limit],
      );
      return rows.map(decodeLine);
    },
    async claimLine(batchId, lineNo, leaseUntil, owner = '') {
      const now = Date.now();
      const changed = await sql.run(
        `UPDATE ${lines} SET state = 'running', lease_until = ${p(1)}, lease_owner = ${p(2)} WHERE batch_id = ${p(3)} AND line_no = ${p(4)} AND (state = 'pending' OR (state = 'running' AND lease_until < ${p(5)}))`,
        [leaseUntil, owner, batchId, lineNo, now],
      );
      return changed > 0;
    },
    async renewLine(batchId, lineNo, leaseUntil, owner) {
      const changed = await sql.run(
        `UPDATE ${lines} SET lease_until = ${p(1)} WHERE batch_id = ${p(2)} AND line_no = ${p(3)} AND state = 'running' AND lease_owner = ${p(4)}`,
        [leaseUntil, batchId, lineNo, owner],
      );
      return changed > 0;
    },
    async markSubmitted(batchId, lineNos, upstreamId) {
      await sql.atomically(
        lineNos.map((lineNo) => [`UPDATE ${lines} SET state = 'submitted', upstream_id = ${p(1)} WHERE batch_id = ${p(2)} AND line_no = ${p(3)} AND state <> 'done'`, [upstreamId, batchId, lineNo]] as const),
      );
    },
    async completeLine(batchId, lineNo, result: LineResult, ledgerRows = []) {
      const changed = await sql.run(
        `UPDATE ${lines} SET state = 'done', ok = ${p(1)}, result = ${p(2)}, cost_nanos = ${p(3)}, lease_until = NULL, done_at = ${p(4)}, ledger_rows = ${p(5)} WHERE batch_id = ${p(6)} AND line_no = ${p(7)} AND state <> 'done'`,
        [result.ok ? 1 : 0, JSON.stringify(result.line), result.costNanos, Date.now(), ledgerRows.length > 0 ? JSON.stringify(ledgerRows) : null, batchId, lineNo],
      );
      return changed > 0;
    },
    async keepLateRows(batchId, lineNo, upstreamId, ledgerRows) {
      // upstream_id is the once-only mark: a collect repeated after a crash finds it set and keeps nothing twice.
      const changed = await sql.run(
        `UPDATE ${lines} SET upstream_id = ${p(1)}, ledger_rows = ${p(2)}, done_at = ${p(3)} WHERE batch_id = ${p(4)} AND line_no = ${p(5)} AND state = 'done' AND upstream_id IS NULL`,
        [upstreamId, ledgerRows.length > 0 ? JSON.stringify(ledgerRows) : null, Date.now(), batchId, lineNo],
      );
      return changed > 0;
    },
    async unrecordedLines(doneBefore, limit) {
      const rows = await sql.all(
        `SELECT batch_id, line_no, done_at, ledger_rows FROM ${lines} WHERE ledger_rows IS NOT NULL AND done_at < ${p(1)} ORDER BY done_at LIMIT ${p(2)}`,
        [doneBefore, limit],
      );
      return rows.map((row) => ({ batchId: String(row.batch_id), lineNo: num(row.line_no), doneAt: num(row.done_at), rows: JSON.parse(String(row.ledger_rows)) as LedgerRow[] }));
    },
    async rowsStored(batchId, lineNos) {
      if (lineNos.length === 0) return;
      await sql.atomically(lineNos.map((lineNo) => [`UPDATE ${lines} SET ledger_rows = NULL WHERE batch_id = ${p(1)} AND line_no = ${p(2)}`, [batchId, lineNo]] as const));
    },
    async completeOpenLines(batchId, now, result, keep) {
      let completed = 0;
      // Paged by line number: a kept line stays open, and must not be selected again.
      for (let after = 0; ; ) {
        const rows = await sql.all(
          `SELECT * FROM ${lines} WHERE batch_id = ${p(1)} AND line_no > ${p(2)} AND (state = 'pending' OR (state = 'running' AND lease_until < ${p(3)})) ORDER BY line_no LIMIT 500`,
          [batchId, after, now],
        );
        if (rows.length === 0) return completed;
        for (const line of rows.map(decodeLine)) {
          after = line.lineNo;
          if (keep?.(line)) continue;
          if (await this.completeLine(batchId, line.lineNo, result(line))) completed += 1;
        }
      }
    },
    async counts(batchId) {
      const rows = await sql.all(
        `SELECT COUNT(*) AS total, SUM(CASE WHEN state = 'done' AND ok = 1 THEN 1 ELSE 0 END) AS completed, SUM(CASE WHEN state = 'done' AND ok = 0 THEN 1 ELSE 0 END) AS failed FROM ${lines} WHERE batch_id = ${p(1)}`,
        [batchId],
      );
      const total = num(rows[0]?.total ?? 0);
      const completed = num(rows[0]?.completed ?? 0);
      const failed = num(rows[0]?.failed ?? 0);
      return { total, completed, failed, open: total - completed - failed };
    },
    async results(batchId, ok, afterLine, limit) {
      const rows = await sql.all(
        `SELECT line_no, ok, result, cost_nanos FROM ${lines} WHERE batch_id = ${p(1)} AND state = 'done' AND ok = ${p(2)} AND line_no > ${p(3)} ORDER BY line_no LIMIT ${p(4)}`,
        [batchId, ok ? 1 : 0, afterLine, limit],
      );
      return rows.map((row) => ({ lineNo: num(row.line_no), result: { ok, line: JSON.parse(String(row.result)), costNanos: num(row.cost_nanos) } }));
    },

    async saveUpstream(upstream) {
      await sql.run(
        `INSERT INTO ${upstreams} (batch_id, provider, lane, upstream_id, upstream_file_id, state, created_at) VALUES (${ps(7)}) ` +
          `ON CONFLICT (batch_id, provider) DO UPDATE SET upstream_id = excluded.upstream_id, upstream_file_id = excluded.upstream_file_id, state = excluded.state`,
        [upstream.batchId, upstream.provider, upstream.lane, upstream.upstreamId, upstream.upstreamFileId, upstream.state, upstream.createdAt],
      );
    },
    async upstreams(batchId) {
      return (await sql.all(`SELECT * FROM ${upstreams} WHERE batch_id = ${p(1)} ORDER BY provider`, [batchId])).map(decodeUpstream);
    },
    async openUpstreams(limit) {
      return (await sql.all(`SELECT * FROM ${upstreams} WHERE state = 'open' ORDER BY created_at LIMIT ${p(1)}`, [limit])).map(decodeUpstream);
    },
    close: parts.close,
  };
}
