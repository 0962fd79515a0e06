import { addedMs, checkTargets, LIMITS, type TargetId } from './check-targets.js';
import type { SequentialResult } from './measure-latency.js';
import type { OverheadResults, Scenario } from './overhead-results.js';

// The bare proxy (floor) sits between direct and the gateways: what any Node hop costs on this machine.
const NAMES = ['direct', 'floor', 'frugal', 'portkey'] as const;
const GATEWAYS = ['floor', 'frugal', 'portkey'] as const;

/** Two decimals below 10 ms (the sequential client resolves microseconds), one above. */
function ms(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '—';
  return Math.abs(value) < 10 ? value.toFixed(2) : value.toFixed(1);
}

function signed(value: number): string {
  if (Number.isNaN(value)) return '—';
  return `${value >= 0 ? '+' : ''}${ms(value)}`;
}

function passOrMiss(pass: boolean): string {
  return pass ? 'PASS' : 'MISS';
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function triple(values: readonly string[]): string {
  return values.join(' / ');
}

function sequentialRow(label: string, cells: readonly SequentialResult[], measure: 'latency' | 'firstContent', target: string): string {
  const get = (name: (typeof NAMES)[number]) => cells.find((cell) => cell.endpoint === name);
  const value = (name: (typeof NAMES)[number], percentile: 'p50' | 'p99') => get(name)?.[measure]?.[percentile];
  return row([
    label,
    '1',
    measure === 'latency' ? triple(NAMES.map((name) => (get(name)?.rps ?? 0).toFixed(0))) : '—',
    triple(NAMES.map((name) => ms(value(name, 'p50')))),
    triple(NAMES.map((name) => ms(value(name, 'p99')))),
    triple(GATEWAYS.map((name) => signed(addedMs(cells, name, 'p50', measure)))),
    triple(GATEWAYS.map((name) => signed(addedMs(cells, name, 'p99', measure)))),
    measure === 'latency' ? triple(NAMES.map((name) => ms(get(name)?.cpuMsPerRequest))) : '—',
    [target, ...cells.filter((cell) => cell.errors > 0).map((cell) => `${cell.endpoint}: ${cell.errors} failed`)].filter(Boolean).join('; '),
  ]);
}

function throughputRow(results: OverheadResults, scenario: Scenario, connections: number): string | undefined {
  const cells = results.throughput.filter((cell) => cell.scenario === scenario && cell.connections === connections);
  if (cells.length === 0) return undefined;
  const get = (name: (typeof NAMES)[number]) => cells.find((cell) => cell.endpoint === name);
  const added = (name: (typeof GATEWAYS)[number], percentile: 'p50' | 'p99') => {
    const through = get(name)?.[percentile];
    const direct = get('direct')?.[percentile];
    return through === undefined || direct === undefined ? Number.NaN : through - direct;
  };
  const failures = cells.reduce((sum, cell) => sum + cell.failures, 0);
  return row([
    scenario === 'json' ? 'non-streaming' : 'streaming',
    String(connections),
    triple(NAMES.map((name) => (get(name)?.rps ?? 0).toFixed(0))),
    triple(NAMES.map((name) => ms(get(name)?.p50))),
    triple(NAMES.map((name) => ms(get(name)?.p99))),
    triple(GATEWAYS.map((name) => signed(added(name, 'p50')))),
    triple(GATEWAYS.map((name) => signed(added(name, 'p99')))),
    triple(NAMES.map((name) => ms(get(name)?.cpuMsPerRequest))),
    failures > 0 ? `${failures} failed requests` : '',
  ]);
}

/** The closing table: latency and throughput per scenario × connections, time to first token, then targets. */
export function formatTable(results: OverheadResults): string {
  const checks = checkTargets(results);
  const verdict = (id: TargetId, text: string) => {
    const check = checks.find((candidate) => candidate.id === id);
    return check ? `${text} ${passOrMiss(check.pass)}` : '';
  };
  const lines = [
    row([
      'scenario',
      'conns',
      'RPS direct / floor / Frugal / Portkey',
      'p50 ms direct / floor / Frugal / Portkey',
      'p99 ms direct / floor / Frugal / Portkey',
      'added p50 floor / Frugal / Portkey',
      'added p99 floor / Frugal / Portkey',
      'CPU ms/req mock / floor / Frugal / Portkey',
      'target',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---']),
  ];
  for (const scenario of ['json', 'stream'] as const) {
    const label = scenario === 'json' ? 'non-streaming' : 'streaming';
    const targetText = [
      verdict(`${scenario}-added-p50`, `+p50 ≤ ${LIMITS.addedP50Ms} ms`),
      verdict(`${scenario}-added-p99`, `+p99 ≤ ${LIMITS.addedP99Ms} ms`),
    ].join(', ');
    lines.push(sequentialRow(label, results.oneConnection[scenario], 'latency', targetText));
    for (const connections of [16, 64]) {
      const line = throughputRow(results, scenario, connections);
      if (line) lines.push(line);
    }
  }
  const firstTokenTarget = `+p50 ≤ ${LIMITS.addedFirstTokenMs} ms`;
  lines.push(sequentialRow('time to first token', results.oneConnection.stream, 'firstContent', verdict('first-token', firstTokenTarget)));
  lines.push(
    sequentialRow(
      `time to first token, upstream +${results.delayedFirstTokenMs} ms`,
      results.delayedFirstToken,
      'firstContent',
      verdict('first-token-delayed', firstTokenTarget),
    ),
  );

  const targets = [row(['target (Frugal)', 'Frugal', 'Portkey (reference)', 'bare Node proxy (floor)', 'result']), row(['---', '---:', '---:', '---:', '---'])];
  for (const check of checks) {
    const show = (value: number | undefined) =>
      value === undefined || Number.isNaN(value) ? '—' : `${check.unit === '×' ? value.toFixed(2) : ms(value)} ${check.unit}`;
    targets.push(row([check.target, show(check.frugal), show(check.portkey), show(check.floor), passOrMiss(check.pass)]));
  }
  const memoryLines = results.memory.map(
    (memory) =>
      `RSS ${memory.endpoint}: ${results.idleRssMb[memory.endpoint === 'portkey' ? 'portkey' : 'frugal'].toFixed(0)} MB idle after start-up, ${memory.beforeMb.toFixed(0)} MB before the streams (after the load above), ${memory.peakMb.toFixed(0)} MB peak, ${memory.afterMb.toFixed(0)} MB after ` +
      `${memory.concurrent} concurrent streams (${memory.completed} completed, ${memory.failures} failed, ${memory.seconds.toFixed(1)} s)`,
  );
  const logLines =
    results.frugalLogs.lines > 0
      ? [`Frugal logged ${results.frugalLogs.lines} warn/error lines during the run, e.g. ${results.frugalLogs.samples.map((sample) => `"${sample}"`).join('; ')}`]
      : [];
  return [...lines, '', ...targets, '', ...memoryLines, ...logLines].join('\n');
}
