import type { MemoryResult } from './measure-memory.js';
import type { SequentialResult } from './measure-latency.js';
import type { ThroughputResult } from './measure-throughput.js';
import type { LedgerMode, LogTally } from './start-processes.js';

export type Scenario = 'json' | 'stream';

/** Everything one run measured; written as JSON to bench/results/ and rendered by formatTable. */
export interface OverheadResults {
  startedAt: string;
  machine: { cpus: number; cpuModel: string; node: string; loadAverageBefore: number[]; loadAverageAfter: number[] };
  ledger: LedgerMode;
  portkeyVersion: string;
  bodyBytes: number;
  /** One connection, sequential, hrtime-timed. */
  oneConnection: Record<Scenario, SequentialResult[]>;
  /** One connection, streaming, upstream waits 50 ms before its first token. */
  delayedFirstToken: SequentialResult[];
  delayedFirstTokenMs: number;
  /** autocannon at 16 and 64 connections. */
  throughput: Array<ThroughputResult & { scenario: Scenario }>;
  /** Gateway RSS right after start-up and one verified request of each kind, MB. */
  idleRssMb: { frugal: number; portkey: number };
  memory: MemoryResult[];
  /** Frugal's log lines (level warn and up) while it was measured. */
  frugalLogs: LogTally;
  seconds: number;
}
