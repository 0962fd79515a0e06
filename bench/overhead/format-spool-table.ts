import type { SequentialResult } from './measure-latency.js';
import type { OverheadResults, Scenario } from './overhead-results.js';

interface Cell {
  rps: number;
  p50: number | undefined;
  p99: number | undefined;
  cpuMsPerRequest: number | undefined;
  failures: number;
}

function ms(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '—';
  return Math.abs(value) < 10 ? value.toFixed(2) : value.toFixed(1);
}

function delta(on: number | undefined, off: number | undefined): string {
  if (on === undefined || off === undefined) return '—';
  const value = on - off;
  return `${value >= 0 ? '+' : ''}${ms(value)}`;
}

function sequentialCell(cells: readonly SequentialResult[], name: string): Cell | undefined {
  const cell = cells.find((candidate) => candidate.endpoint === name);
  return cell && { rps: cell.rps, p50: cell.latency.p50, p99: cell.latency.p99, cpuMsPerRequest: cell.cpuMsPerRequest, failures: cell.errors };
}

function throughputCell(results: OverheadResults, scenario: Scenario, connections: number, name: string): Cell | undefined {
  const cell = results.throughput.find((candidate) => candidate.scenario === scenario && candidate.connections === connections && candidate.endpoint === name);
  return cell && { rps: cell.rps, p50: cell.p50, p99: cell.p99, cpuMsPerRequest: cell.cpuMsPerRequest, failures: cell.failures };
}

/**
 * Frugal with the default buffered ledger beside Frugal with `ledger.durability: spool` (each reply waits for
 * its row's group fsync), from the same run's cells: what durability costs per request.
 */
export function formatSpoolTable(results: OverheadResults): string {
  const lines = [
    '| scenario | conns | RPS buffered / spool | p50 ms buffered / spool | p99 ms buffered / spool | spool adds p50 / p99 ms | CPU ms/req buffered / spool |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const scenario of ['json', 'stream'] as const) {
    const label = scenario === 'json' ? 'non-streaming' : 'streaming';
    const rows: Array<[string, Cell | undefined, Cell | undefined]> = [
      ['1', sequentialCell(results.oneConnection[scenario], 'frugal'), sequentialCell(results.oneConnection[scenario], 'frugal-spool')],
      ...[16, 64].map((connections): [string, Cell | undefined, Cell | undefined] => [
        String(connections),
        throughputCell(results, scenario, connections, 'frugal'),
        throughputCell(results, scenario, connections, 'frugal-spool'),
      ]),
    ];
    for (const [connections, off, on] of rows) {
      if (!off || !on) continue;
      const failed = off.failures + on.failures > 0 ? ` (${off.failures} / ${on.failures} failed)` : '';
      lines.push(
        `| ${label}${failed} | ${connections} | ${off.rps.toFixed(0)} / ${on.rps.toFixed(0)} | ${ms(off.p50)} / ${ms(on.p50)} | ${ms(off.p99)} / ${ms(on.p99)} | ${delta(on.p50, off.p50)} / ${delta(on.p99, off.p99)} | ${ms(off.cpuMsPerRequest)} / ${ms(on.cpuMsPerRequest)} |`,
      );
    }
  }
  return ['### Ledger durability: buffered (default) vs spool', '', ...lines].join('\n');
}
