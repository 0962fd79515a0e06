import pg from 'pg';
import { FrugalError } from '../../errors/frugal-error.js';
import type { VectorIndex, VectorMatch, VectorSearchOptions } from './vector-index.js';
import { storeError } from '../../errors/store-error.js';

/** The one call this index makes: a `pg.Pool`, a `pg.Client` and a PGlite instance all have it. */
export interface SqlQuery {
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

export interface PgVectorIndexOptions {
  client: SqlQuery;
  dimensions: number;
  /** A plain lower-case SQL identifier; several caches (or test runs) can keep apart by table. */
  table?: string;
}

export interface PgVectorIndex extends VectorIndex {
  /** Creates the extension, table and indexes if missing; checks an existing table has `dimensions`. */
  migrate(): Promise<void>;
}

export interface OpenPgVectorIndexOptions {
  /** postgres://user:password@host:port/database */
  connectionString: string;
  dimensions: number;
  table?: string;
  maxConnections?: number;
}

export const DEFAULT_PGVECTOR_TABLE = 'frugal_semantic_vectors';
/** pgvector builds HNSW indexes over `vector` columns of at most this many dimensions. */
const HNSW_MAX_DIMENSIONS = 2_000;
/** pgvector's largest `vector` column. */
const MAX_DIMENSIONS = 16_000;
/**
 * A bucket filter applied after an HNSW scan could leave a small bucket with no candidates (the scan
 * stops after `hnsw.ef_search` rows of any bucket). pgvector 0.8 scans on until the LIMIT is met.
 */
const ITERATIVE_SCAN = 'strict_order';

function indexError(operation: string, error: unknown): FrugalError {
  return storeError('semantic index (pgvector)', operation, error);
}

/** pgvector's text form, '[0.1,-0.2,...]'; it accepts neither NaN nor infinities, so neither do we. */
function toVectorLiteral(vector: Float32Array, dimensions: number): string {
  if (vector.length !== dimensions) throw new RangeError(`Expected ${dimensions} dimensions, got ${vector.length}.`);
  for (const value of vector) if (!Number.isFinite(value)) throw new RangeError('Vector components must be finite.');
  return `[${vector.join(',')}]`;
}

/**
 * The semantic cache's vectors in PostgreSQL with pgvector, so every gateway instance sees the entries
 * the others stored. Buckets isolate as in the in-memory index: every search has `WHERE bucket = $2`.
 * Similarity is `1 - cosine distance`, the cosine of unit vectors as in `createHnswIndex`.
 *
 * @example
 * const index = createPgVectorIndex({ client: pool, dimensions: embedder.dimensions });
 * await index.migrate();
 * const cache = createSemanticCache({ embedder, store, index });
 */
export function createPgVectorIndex({ client, dimensions, table = DEFAULT_PGVECTOR_TABLE }: PgVectorIndexOptions): PgVectorIndex {
  if (!/^[a-z_][a-z0-9_]{0,47}$/.test(table)) throw new FrugalError('config_invalid', `semantic index table must be a lower-case SQL identifier of at most 48 characters, got '${table}'.`);
  if (!(Number.isInteger(dimensions) && dimensions > 0 && dimensions <= MAX_DIMENSIONS)) throw new FrugalError('config_invalid', `semantic index dimensions must be an integer in 1..${MAX_DIMENSIONS}, got ${dimensions}.`);

  const run = async (operation: string, sql: string, params?: unknown[]) => {
    try {
      return (await client.query(sql, params)).rows;
    } catch (error) {
      throw indexError(operation, error);
    }
  };

  return {
    async migrate() {
      await run('migrate', 'CREATE EXTENSION IF NOT EXISTS vector');
      await run('migrate', `CREATE TABLE IF NOT EXISTS ${table} (id text PRIMARY KEY, bucket text NOT NULL, embedding vector(${dimensions}) NOT NULL, expires_at bigint NOT NULL)`);
      const [column] = await run('migrate', `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'embedding'`, [table]);
      if (column?.type !== `vector(${dimensions})`) {
        throw new FrugalError('config_invalid', `semantic index table '${table}' holds ${String(column?.type)}, not vector(${dimensions}): another embedder wrote it; use another table.`);
      }
      await run('migrate', `CREATE INDEX IF NOT EXISTS ${table}_bucket_idx ON ${table} (bucket)`);
      await run('migrate', `CREATE INDEX IF NOT EXISTS ${table}_expires_idx ON ${table} (expires_at)`);
      // Larger vectors are searched exactly within their bucket (the bucket index narrows the scan).
      if (dimensions <= HNSW_MAX_DIMENSIONS) await run('migrate', `CREATE INDEX IF NOT EXISTS ${table}_embedding_idx ON ${table} USING hnsw (embedding vector_cosine_ops)`);
      // Lasts for this session only: enough for a single-connection client (PGlite); a pool needs it on
      // every connection, which `openPgVectorIndex` does. pgvector before 0.8 lacks it and is left as is.
      await run('migrate', `SET hnsw.iterative_scan = ${ITERATIVE_SCAN}`).catch(() => undefined);
    },
    async add(id, bucket, vector, expiresAt) {
      await run(
        'add',
        `INSERT INTO ${table} (id, bucket, embedding, expires_at) VALUES ($1, $2, $3::vector, $4)
         ON CONFLICT (id) DO UPDATE SET bucket = EXCLUDED.bucket, embedding = EXCLUDED.embedding, expires_at = EXCLUDED.expires_at`,
        [id, bucket, toVectorLiteral(vector, dimensions), Math.floor(expiresAt)],
      );
    },
    async search(bucket, vector, options: VectorSearchOptions): Promise<VectorMatch[]> {
      const k = options.k ?? 1;
      if (!(Number.isInteger(k) && k > 0)) throw new RangeError(`k must be a positive integer, got ${k}.`);
      const rows = await run(
        'search',
        `SELECT id, 1 - (embedding <=> $1::vector) AS similarity FROM ${table}
         WHERE bucket = $2 AND expires_at > $3 ORDER BY embedding <=> $1::vector LIMIT $4`,
        [toVectorLiteral(vector, dimensions), bucket, Math.floor(options.now), k],
      );
      const minSimilarity = options.minSimilarity ?? Number.NEGATIVE_INFINITY;
      return rows.map((row) => ({ id: String(row.id), similarity: Number(row.similarity) })).filter((match) => match.similarity >= minSimilarity);
    },
    async delete(id) {
      return (await run('delete', `DELETE FROM ${table} WHERE id = $1 RETURNING id`, [id])).length > 0;
    },
    async prune(now) {
      const [row] = await run('prune', `WITH gone AS (DELETE FROM ${table} WHERE expires_at <= $1 RETURNING 1) SELECT count(*)::int AS count FROM gone`, [Math.floor(now)]);
      return Number(row?.count ?? 0);
    },
  };
}

/**
 * A pgvector index over its own connection pool, migrated and ready. Every pooled connection scans
 * HNSW iteratively (pgvector 0.8+), so small buckets find their neighbours among many others.
 *
 * @example
 * const index = await openPgVectorIndex({ connectionString: process.env.DATABASE_URL!, dimensions: embedder.dimensions });
 * // on shutdown: await index.close();
 */
export async function openPgVectorIndex({ connectionString, dimensions, table, maxConnections = 4 }: OpenPgVectorIndexOptions): Promise<PgVectorIndex & { close(): Promise<void> }> {
  const pool = new pg.Pool({ connectionString, max: maxConnections, options: `-c hnsw.iterative_scan=${ITERATIVE_SCAN}` });
  // An idle connection dropped by the server is emitted here; unheard, it would crash the gateway.
  pool.on('error', () => {});
  const index = createPgVectorIndex({ client: pool, dimensions, table });
  try {
    await index.migrate();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return { ...index, close: () => pool.end() };
}
