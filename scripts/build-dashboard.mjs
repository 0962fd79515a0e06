#!/usr/bin/env node
// Bundles the dashboard page (web/dashboard: Preact + uPlot) into dist/dashboard-web with esbuild: one app.js,
// one app.css (uPlot's styles and ours) and index.html, served by the gateway at /dashboard. Everything the page
// needs is in these files: no CDN, so it works air-gapped. `npm run build` runs it; tests build their own copy.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Builds into `outDir` (default dist/dashboard-web); resolves to the bundle's sizes in bytes. */
export async function buildDashboard(outDir = join(ROOT, 'dist', 'dashboard-web')) {
  const source = join(ROOT, 'web', 'dashboard');
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: [join(source, 'app.tsx')],
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outfile: join(outDir, 'app.js'),
    absWorkingDir: ROOT,
    logLevel: 'warning',
    metafile: true,
    legalComments: 'none',
  });
  const css = readFileSync(join(ROOT, 'node_modules', 'uplot', 'dist', 'uPlot.min.css'), 'utf8') + readFileSync(join(source, 'app.css'), 'utf8');
  writeFileSync(join(outDir, 'app.css'), css);
  copyFileSync(join(source, 'index.html'), join(outDir, 'index.html'));
  return { js: Object.values(result.metafile.outputs)[0].bytes, css: css.length };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const sizes = await buildDashboard(process.argv[2]);
  process.stderr.write(`dashboard built: app.js ${sizes.js} bytes, app.css ${sizes.css} bytes\n`);
}
