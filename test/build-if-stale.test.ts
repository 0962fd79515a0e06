import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STAMP, staleReason } from '../scripts/build-if-stale.mjs';

let root: string;
/** Seconds since the epoch, far apart, so no file system's mtime resolution blurs the order. */
const T = { old: 1_000_000, built: 2_000_000, later: 3_000_000 };

async function at(path: string, seconds: number, content = '') {
  await writeFile(join(root, path), content);
  await utimes(join(root, path), seconds, seconds);
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'frugal-build-stamp-'));
  await mkdir(join(root, 'src', 'cli'), { recursive: true });
  await mkdir(join(root, 'dist'));
  await at('src/cli/main.ts', T.old);
  await at('src/index.ts', T.old);
  await at('tsconfig.json', T.old);
  for (const dir of ['src/cli', 'src']) await utimes(join(root, dir), T.old, T.old);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('build-if-stale (npm start)', () => {
  it('builds a checkout that was never built', () => {
    expect(staleReason(root)).toBe('no build yet');
  });

  it('starts from the build when tsc’s build info or the stamp is newer than every source', async () => {
    await at('dist/.tsbuildinfo', T.built);
    expect(staleReason(root)).toBeUndefined();
    await at('src/cli/main.ts', T.later);
    expect(staleReason(root)).toBe('src/ changed since the last build');
    await at(STAMP, T.later + 1);
    expect(staleReason(root)).toBeUndefined();
  });

  it('rebuilds when a source is added or deleted (its directory changes) or the TypeScript config changes', async () => {
    await at('dist/.tsbuildinfo', T.built);
    await utimes(join(root, 'src', 'cli'), T.later, T.later);
    expect(staleReason(root)).toBe('src/ changed since the last build');
    await at(STAMP, T.later + 1);
    await at('tsconfig.json', T.later + 2);
    expect(staleReason(root)).toBe('tsconfig.json changed since the last build');
  });
});
