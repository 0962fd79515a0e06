#!/usr/bin/env node
// `npm start` runs this first: it rebuilds dist/ only when a source is newer than the last build, so starting
// an unchanged checkout costs a few milliseconds of stat calls instead of ~3 s of tsc. A fresh clone
// (`npm ci` builds through `prepare`) or an edited source still gets its build.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Written after every build this script runs; its mtime is when that build started. */
export const STAMP = 'dist/.build-stamp';
/** What tsc itself writes on every build (tsconfig.build.json): covers builds run by `npm run build`. */
const TS_BUILD_INFO = 'dist/.tsbuildinfo';
/** Besides src/, what changes the build. */
const BUILD_INPUTS = ['tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];

function mtimeMs(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Newest mtime of every file and directory under dir: a directory's mtime moves when a file is added, renamed or deleted. */
function newestUnder(dir) {
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Why the build under `root` is stale, or undefined when dist/ is newer than every input. Tests and fixtures
 * count too (they sit beside the sources): a needless rebuild costs seconds, a missed one a confusing start.
 */
export function staleReason(root) {
  const built = Math.max(mtimeMs(join(root, STAMP)) ?? -Infinity, mtimeMs(join(root, TS_BUILD_INFO)) ?? -Infinity);
  if (built === -Infinity) return 'no build yet';
  if (newestUnder(join(root, 'src')) > built) return 'src/ changed since the last build';
  // The dashboard page (bundled into dist/dashboard-web by scripts/build-dashboard.mjs).
  if (mtimeMs(join(root, 'web')) !== undefined && newestUnder(join(root, 'web')) > built) return 'web/ changed since the last build';
  const changed = BUILD_INPUTS.find((name) => (mtimeMs(join(root, name)) ?? -Infinity) > built);
  return changed === undefined ? undefined : `${changed} changed since the last build`;
}

/** Builds with the project's own `npm run build`, then stamps dist/ with the time the build started. */
export function buildIfStale(root) {
  const reason = staleReason(root);
  if (reason === undefined) return false;
  const startedAt = new Date();
  process.stderr.write(`frugal: building (${reason})…\n`);
  const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  // Sources edited while tsc ran are newer than this stamp, so the next start builds again.
  writeFileSync(join(root, STAMP), '');
  utimesSync(join(root, STAMP), startedAt, startedAt);
  return true;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  buildIfStale(fileURLToPath(new URL('..', import.meta.url)));
}
