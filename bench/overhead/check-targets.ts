import type { SequentialResult } from './measure-latency.js';
import type { OverheadResults, Scenario } from './overhead-results.js';
import type { Endpoint } from './start-processes.js';

/** The targets for Frugal; Portkey's value is shown beside it for reference, never judged. */
export const LIMITS = {
  addedP50Ms: 0.2,
  addedP99Ms: 1,
  addedFirstTokenMs: 1,
  peakRpsRatio: 5,
  /** Frugal's CPU per request over Portkey's, non-streaming at 16 connections (issue 16 §6). */
  cpuRatio: 0.1,
  /** Frugal's streaming CPU per request over its non-streaming one, at 16 connections. */
  streamCpuRatio: 1.5,
  rssAfterMb: 200,
} as const;

/** The cell the CPU targets read: 16 connections, where every endpoint is busy but none is starved. */
const CPU_CONNECTIONS = 16;

export type TargetId = `${Scenario}-added-${'p50' | 'p99'}` | 'first-token' | 'first-token-delayed' | 'peak-rps' | 'cpu-per-request' | 'stream-cpu' | 'rss-after-streams';

export interface TargetCheck {
  id: TargetId;
  target: string;
  frugal: number;
  portkey: number | undefined;
  /** The bare Node proxy's value where it was measured: the part of the target no Node hop can avoid here. */
  floor: number | undefined;
  unit: string;
  pass: boolean;
}

type Gateway = Exclude<Endpoint['name'], 'direct'>;

function byName(results: readonly SequentialResult[], name: Endpoint['name']): SequentialResult | undefined {
  return results.find((result) => result.endpoint === name);
}

/** Gateway minus direct at the same percentile: the time the gateway adds. */
export function addedMs(results: readonly SequentialResult[], gateway: Gateway, percentile: 'p50' | 'p99', measure: 'latency' | 'firstContent'): number {
  const through = byName(results, gateway)?.[measure];
  const direct = byName(results, 'direct')?.[measure];
  if (!through || !direct) return Number.NaN;
  return through[percentile] - direct[percentile];
}

export function peakRps(results: OverheadResults, name: Endpoint['name']): number {
  const cells = results.throughput.filter((cell) => cell.endpoint === name).map((cell) => cell.rps);
  for (const scenario of ['json', 'stream'] as const) cells.push(byName(results.oneConnection[scenario], name)?.rps ?? 0);
  return Math.max(...cells);
}

/** Judges Frugal against every target of the issue. */
export function checkTargets(results: OverheadResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const scenarioLabel: Record<Scenario, string> = { json: 'non-streaming', stream: 'streaming (whole response)' };
  for (const scenario of ['json', 'stream'] as const) {
    const cells = results.oneConnection[scenario];
    for (const [percentile, limit] of [
      ['p50', LIMITS.addedP50Ms],
      ['p99', LIMITS.addedP99Ms],
    ] as const) {
      const frugal = addedMs(cells, 'frugal', percentile, 'latency');
      checks.push({
        id: `${scenario}-added-${percentile}`,
        target: `added ${percentile}, 1 connection, ${scenarioLabel[scenario]} ≤ ${limit} ms`,
        frugal,
        portkey: addedMs(cells, 'portkey', percentile, 'latency'),
        floor: addedMs(cells, 'floor', percentile, 'latency'),
        unit: 'ms',
        pass: frugal <= limit,
      });
    }
  }
  const firstToken = [
    ['first-token', 'upstream sends at once', results.oneConnection.stream],
    ['first-token-delayed', `upstream first token after ${results.delayedFirstTokenMs} ms`, results.delayedFirstToken],
  ] as const;
  for (const [id, label, cells] of firstToken) {
    const frugal = addedMs(cells, 'frugal', 'p50', 'firstContent');
    checks.push({
      id,
      target: `added time to first token p50, ${label} ≤ ${LIMITS.addedFirstTokenMs} ms`,
      frugal,
      portkey: addedMs(cells, 'portkey', 'p50', 'firstContent'),
      floor: addedMs(cells, 'floor', 'p50', 'firstContent'),
      unit: 'ms',
      pass: frugal <= LIMITS.addedFirstTokenMs,
    });
  }
  const frugalPeak = peakRps(results, 'frugal');
  const portkeyPeak = peakRps(results, 'portkey');
  const floorPeak = peakRps(results, 'floor');
  checks.push({
    id: 'peak-rps',
    target: `peak RPS ≥ ${LIMITS.peakRpsRatio}× Portkey's (Frugal ${frugalPeak.toFixed(0)}, Portkey ${portkeyPeak.toFixed(0)})`,
    frugal: frugalPeak / portkeyPeak,
    portkey: 1,
    floor: floorPeak / portkeyPeak,
    unit: '×',
    pass: frugalPeak >= LIMITS.peakRpsRatio * portkeyPeak,
  });
  const cpu = (name: Endpoint['name'], scenario: Scenario) =>
    results.throughput.find((cell) => cell.endpoint === name && cell.scenario === scenario && cell.connections === CPU_CONNECTIONS)?.cpuMsPerRequest ?? Number.NaN;
  const frugalCpu = cpu('frugal', 'json');
  const portkeyCpu = cpu('portkey', 'json');
  checks.push({
    id: 'cpu-per-request',
    target: `CPU per request ≤ ${LIMITS.cpuRatio}× Portkey's, non-streaming, ${CPU_CONNECTIONS} connections (Frugal ${frugalCpu.toFixed(3)} ms, Portkey ${portkeyCpu.toFixed(3)} ms)`,
    frugal: frugalCpu / portkeyCpu,
    portkey: 1,
    floor: cpu('floor', 'json') / portkeyCpu,
    unit: '×',
    pass: frugalCpu <= LIMITS.cpuRatio * portkeyCpu,
  });
  const frugalStreamCpu = cpu('frugal', 'stream');
  checks.push({
    id: 'stream-cpu',
    target: `streaming CPU per request ≤ ${LIMITS.streamCpuRatio}× non-streaming, ${CPU_CONNECTIONS} connections (${frugalStreamCpu.toFixed(3)} vs ${frugalCpu.toFixed(3)} ms)`,
    frugal: frugalStreamCpu / frugalCpu,
    portkey: cpu('portkey', 'stream') / portkeyCpu,
    floor: cpu('floor', 'stream') / cpu('floor', 'json'),
    unit: '×',
    pass: frugalStreamCpu <= LIMITS.streamCpuRatio * frugalCpu,
  });
  const memory = (name: Gateway) => results.memory.find((result) => result.endpoint === name);
  const frugalMemory = memory('frugal');
  if (frugalMemory) {
    checks.push({
      id: 'rss-after-streams',
      target: `RSS after ${frugalMemory.concurrent} concurrent streams ≤ ${LIMITS.rssAfterMb} MB (peak ${frugalMemory.peakMb.toFixed(0)} MB)`,
      frugal: frugalMemory.afterMb,
      portkey: memory('portkey')?.afterMb,
      floor: undefined,
      unit: 'MB',
      pass: frugalMemory.afterMb <= LIMITS.rssAfterMb && frugalMemory.failures === 0,
    });
  }
  return checks;
}
