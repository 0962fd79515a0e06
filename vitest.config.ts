import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Suites that touch the shared Postgres/Redis use their own table/key prefixes, so files may run in parallel.
    pool: 'forks',
    // Two at once on the 2-core CI machine: 6.5 min instead of 10.5 (tests that time or load the machine use their own
    // generous bounds; none asserts speed).
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
