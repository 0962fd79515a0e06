#!/usr/bin/env node
// Runs the compiled CLI (dist/, built by `npm ci` and `npm start`): no loader thread, plain stack traces, ~30 MB
// less memory. Without a build — or with FRUGAL_FROM_SOURCE=1 while developing — it runs the TypeScript sources
// through tsx.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
let main;
if (existsSync(compiled) && !process.env.FRUGAL_FROM_SOURCE) {
  ({ main } = await import(compiled.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
await main(process.argv);
