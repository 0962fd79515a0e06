import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { TEST_DATABASE_URL } from './services.js';

export interface TestSchemas {
  /** The schema for `name` in this run (same name, same schema). */
  schemaOf(name: string): string;
  /** Drops every schema this run made, and only those. */
  dropAll(): Promise<void>;
}

/** One PostgreSQL schema per test database, all under a random per-run prefix so parallel runs never meet. */
export function testSchemas(label: string, databaseUrl = TEST_DATABASE_URL): TestSchemas {
  const prefix = `frugal_${label}_${randomBytes(4).toString('hex')}_`;
  return {
    schemaOf: (name) => `${prefix}${name.replaceAll('-', '_')}`,
    async dropAll() {
      const admin = new pg.Client({ connectionString: databaseUrl });
      await admin.connect();
      try {
        const { rows } = await admin.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)', [prefix]);
        for (const { nspname } of rows) await admin.query(`DROP SCHEMA "${nspname}" CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}
