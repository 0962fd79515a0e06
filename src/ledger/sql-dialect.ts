import { FrugalError } from '../errors/frugal-error.js';

/**
 * The few places where SQLite and PostgreSQL disagree, so migrations and report SQL are written once.
 * Everything else the stores send is SQL both accept.
 */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  readonly types: {
    readonly text: string;
    /** Counts, tokens, nano-dollars, ms timestamps: 64-bit so sums never overflow a 32-bit column. */
    readonly bigint: string;
    readonly integer: string;
    readonly double: string;
    readonly boolean: string;
    /** An auto-numbered primary key, so rows keep their insertion order and request ids may repeat. */
    readonly serialKey: string;
  };
  /** Appended after a CREATE TABLE's closing parenthesis. */
  readonly tableOptions: string;
  /** The table name as the store must write it (schema-qualified on Postgres). */
  table(name: string): string;
  /** SQL reading one key of the `tags` JSON text column as text (NULL when absent). */
  tagValue(key: string): string;
  /** SQL for the part of a text column before the first `separator` (the whole value when there is none). */
  firstSegment(column: string, separator: string): string;
  /** The n-th (1-based) bind parameter. */
  param(index: number): string;
}

const TAG_KEY = /^[a-z_]+$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function checkTagKey(key: string) {
  // Keys are spliced into SQL; only fixed dimension names ever reach here, and this keeps it that way.
  if (!TAG_KEY.test(key)) throw new FrugalError('internal_error', `tag key "${key}" cannot be used in ledger SQL`);
}

function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  // STRICT makes SQLite refuse a fractional number in an INTEGER column, as Postgres does for BIGINT.
  types: { text: 'TEXT', bigint: 'INTEGER', integer: 'INTEGER', double: 'REAL', boolean: 'INTEGER', serialKey: 'INTEGER PRIMARY KEY' },
  tableOptions: ' STRICT',
  table: (name) => name,
  tagValue(key) {
    checkTagKey(key);
    return `json_extract(tags, '$.${key}')`;
  },
  firstSegment: (column, separator) =>
    `CASE WHEN instr(${column}, ${quoteLiteral(separator)}) = 0 THEN ${column} ` +
    `ELSE substr(${column}, 1, instr(${column}, ${quoteLiteral(separator)}) - 1) END`,
  param: () => '?',
};

/** Postgres, with every table in `schema` (validated: it is spliced into SQL as an identifier). */
export function postgresDialect(schema = 'public'): SqlDialect {
  if (!IDENTIFIER.test(schema)) {
    throw new FrugalError('config_invalid', `ledger schema "${schema}" must be a plain SQL identifier (letters, digits, _)`);
  }
  return {
    name: 'postgres',
    types: {
      text: 'TEXT',
      bigint: 'BIGINT',
      integer: 'INTEGER',
      double: 'DOUBLE PRECISION',
      boolean: 'BOOLEAN',
      serialKey: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
    },
    tableOptions: '',
    table: (name) => `"${schema}"."${name}"`,
    tagValue(key) {
      checkTagKey(key);
      return `(tags::jsonb ->> '${key}')`;
    },
    firstSegment: (column, separator) => `split_part(${column}, ${quoteLiteral(separator)}, 1)`,
    param: (index) => `$${index}`,
  };
}
