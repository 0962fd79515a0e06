import { formatPairEvaluation, markdownTable, type PairEvaluation } from './evaluate-pair-routers.js';
import type { ReplayPoint, RouteReplayReport } from './route-replay.js';

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
const PATHS_SHOWN = 12;

function pointRow(label: string, point: ReplayPoint, report: RouteReplayReport): string[] {
  return [
    label,
    percent(point.quality),
    percent(point.quality / report.strongQuality),
    percent(point.costCut),
    percent(point.strongCallShare),
    percent(point.escalationRate),
  ];
}

const POINT_HEADER = ['route', 'quality', 'of strong', 'cost cut', 'strong calls', 'escalated'];

/** The replay as text: the configured point, the cheapest point at the target, the decision paths, the curve and the baselines. */
export function formatRouteReplay(report: RouteReplayReport, baselines: PairEvaluation): string {
  const target = percent(report.qualityShare).replace('.0%', '%');
  const rows = [pointRow(`${report.route} (as configured)`, report.configured, report)];
  if (report.atTarget && report.atTarget !== report.configured) rows.push(pointRow(`${report.route}, complex.threshold ${report.atTarget.threshold?.toFixed(4)}`, report.atTarget, report));
  const lines = [
    `route '${report.route}' replayed over ${report.prompts} prompts; strong ${report.strong} ${percent(report.strongQuality)}; cost cut vs always calling it`,
    ...report.assumptions.map((assumption) => `assumption: ${assumption}`),
    report.atTarget
      ? `@${target} of strong quality: reached, cost cut ${percent(report.atTarget.costCut)}${report.atTarget.threshold === null ? ' (as configured)' : ` at complex.threshold ${report.atTarget.threshold.toFixed(4)}`}`
      : `@${target} of strong quality: not reached by this route${report.sweep.length > 0 ? ' at any threshold' : ''}`,
    '',
    markdownTable(POINT_HEADER, rows),
    '',
    'decision paths:',
    markdownTable(
      ['path', 'prompts', 'quality'],
      report.paths.slice(0, PATHS_SHOWN).map((path) => [path.path, String(path.prompts), percent(path.quality)]),
    ),
  ];
  if (report.paths.length > PATHS_SHOWN) lines.push(`(${report.paths.length - PATHS_SHOWN} more paths)`);
  if (report.sweep.length > 0) {
    lines.push('', 'cost–quality curve (complex.threshold swept over the file):');
    lines.push(markdownTable(['threshold', ...POINT_HEADER.slice(1)], report.sweep.map((point) => pointRow(point.threshold!.toFixed(4), point, report))));
  }
  lines.push('', 'baselines on the same file (pair routers):', formatPairEvaluation(baselines));
  return lines.join('\n');
}

/** The JSON form of a replay, with the baselines' metrics (curves left out). */
export function routeReplayJson(report: RouteReplayReport, baselines: PairEvaluation): unknown {
  return {
    ...report,
    baselines: baselines.reports.map(({ curve: _curve, ...metrics }) => ({ ...metrics, apgr: Number.isNaN(metrics.apgr) ? null : metrics.apgr })),
  };
}
