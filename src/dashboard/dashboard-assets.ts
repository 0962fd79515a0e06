import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build` puts the page (scripts/build-dashboard.mjs): dist/dashboard-web in the package. */
export function defaultDashboardAssetsDir(from: string = fileURLToPath(import.meta.url)): string {
  // Run from src/ (tsx) or from dist/ (built): the package root is the nearest folder with a package.json.
  let dir = dirname(from);
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'dashboard-web');
}
