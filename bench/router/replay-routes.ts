/**
 * Configured routes replayed over the development files (bench/router/routes/<file>.yaml), the way
 * `frugal router eval --route auto --config …` does, plus one held-out variant the CLI cannot express alone:
 * the route's complexity from a linear router cross-validated on the file.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { markdownTable } from '../../src/lab/router-eval/evaluate-pair-routers.js';
import { linearRouterScores, promptFeatures } from '../../src/lab/router-eval/pair-routers.js';
import { readRouteConfig } from '../../src/lab/router-eval/read-route-config.js';
import { replayWithScores } from '../../src/lab/router-eval/cascade-routers.js';
import { replayRoute, type ReplayPoint, type RouteReplayReport } from '../../src/lab/router-eval/route-replay.js';
import { pairTable, type RoutingDataset } from '../../src/lab/router-eval/routing-dataset.js';
import { createSeededRandom } from '../../src/routing/seeded-random.js';

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
const FOLDS = 5;

function row(label: string, report: RouteReplayReport, point: ReplayPoint | null): string[] {
  if (point === null) return [label, '—', '—', '—', '—', 'not reached'];
  return [label, percent(point.quality / report.strongQuality), percent(point.costCut), percent(point.strongCallShare), percent(point.escalationRate), point.threshold === null ? 'as configured' : point.threshold.toFixed(3)];
}

export const REPLAY_HEADER = ['file: route', 'quality of strong', 'cost cut', 'strong calls', 'escalated', 'complex.threshold'];

export async function replayConfiguredRoutes(datasets: ReadonlyMap<string, RoutingDataset>, routesDirectory: string): Promise<string[]> {
  const rows: string[][] = [];
  for (const [file, dataset] of datasets) {
    const config = join(routesDirectory, file.replace(/\.jsonl$/, '.yaml'));
    if (!existsSync(config)) continue;
    const routes = await readRouteConfig(config);
    let complex = false;
    for (const name of routes.keys()) {
      const configured = replayRoute(dataset, { routes, route: name });
      rows.push(row(`${file}: ${name}, as configured`, configured, configured.configured));
      if (configured.sweep.length === 0) continue;
      complex = true;
      rows.push(row(`${file}: ${name}, rules, cheapest @95%`, configured, configured.atTarget));
    }
    if (!complex) continue;
    // The same route with a held-out linear router's score as its complexity (5-fold CV on this file).
    const features = promptFeatures(dataset.rows.map((item) => item.prompt));
    const scores = linearRouterScores(features, pairTable(dataset), { folds: FOLDS, random: createSeededRandom(1) });
    const { report, best } = replayWithScores(dataset, { routes, route: 'auto' }, features, scores);
    const label = report.atTarget ? `auto, linear win/tie/loss (${FOLDS}-fold CV), cheapest @95%` : 'auto, linear, best quality reached';
    rows.push(row(`${file}: ${label}`, report, best));
  }
  return [markdownTable(REPLAY_HEADER, rows)];
}
