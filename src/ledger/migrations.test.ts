import { describe, expect, it } from 'vitest';
import { MIGRATIONS, pendingMigrations } from './migrations.js';
import { postgresDialect, sqliteDialect } from './sql-dialect.js';

describe('MIGRATIONS', () => {
  it('numbers versions 1, 2, 3… in order, so every database applies the same sequence', () => {
    // 11 belongs to the Files and Batches tables (batch-migrations.ts), recorded in the same table.
    const reserved = new Set([11]);
    const expected: number[] = [];
    for (let version = 1; expected.length < MIGRATIONS.length; version++) if (!reserved.has(version)) expected.push(version);
    expect(MIGRATIONS.map((migration) => migration.version)).toEqual(expected);
  });

  it('renders the same statements for both dialects, differing only in types and table names', () => {
    const normalise = (sql: string) =>
      sql
        .replace(/"[a-z_]+"\."([a-z_]+)"/g, '$1')
        .replace(/BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY|INTEGER PRIMARY KEY/g, 'KEY')
        .replace(/DOUBLE PRECISION|REAL|BIGINT|INTEGER|BOOLEAN/g, 'TYPE')
        .replace(/\(tags::jsonb ->> '(\w+)'\)|json_extract\(tags, '\$\.(\w+)'\)/g, 'TAG($1$2)')
        .replace(/ STRICT$/, '')
        .replace(/\s+/g, ' ');
    for (const migration of MIGRATIONS) {
      expect(migration.statements(sqliteDialect).map(normalise)).toEqual(migration.statements(postgresDialect('ledger')).map(normalise));
    }
  });

  it('leaves out the versions already applied, keeping the order of the rest', () => {
    const list = [1, 2, 3].map((version) => ({ version, name: `m${version}`, statements: () => [] }));
    expect(pendingMigrations([2], list).map((migration) => migration.version)).toEqual([1, 3]);
    expect(pendingMigrations([1, 2, 3, 4], list)).toEqual([]);
    expect(pendingMigrations([], MIGRATIONS)).toEqual([...MIGRATIONS]);
  });
});

describe('postgresDialect', () => {
  it('refuses a schema name that is not a plain identifier (it is spliced into SQL)', () => {
    expect(() => postgresDialect('public"; DROP TABLE x; --')).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    expect(postgresDialect('frugal_test_1').table('frugal_ledger')).toBe('"frugal_test_1"."frugal_ledger"');
  });
});
