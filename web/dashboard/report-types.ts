/** A report row as /admin/api returns it (formatReportJson): money as exact nano-dollar strings. */
export interface ReportJsonRow {
  group?: string | null;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  errors: number;
  estimatedRows: number;
  costNanos: string;
  savedNanos: string;
  baselineNanos: string;
  savedRoutingNanos: string;
  savedCacheNanos: string;
  savedCompressionNanos: string;
  savedPromptCacheNanos: string;
  savedBatchNanos?: string;
  savedBatchingNanos?: string;
  callerChoiceNanos: string;
  meanLatencyMs?: number | null;
  meanTtftMs?: number | null;
}

export interface ReportJson {
  by: string;
  rows: ReportJsonRow[];
  total: ReportJsonRow;
}

/** The saving by mechanism, in the order the report's savings table prints them. */
export const MECHANISMS: Array<{ key: keyof ReportJsonRow; label: string }> = [
  { key: 'savedRoutingNanos', label: 'routing' },
  { key: 'savedCacheNanos', label: 'cache' },
  { key: 'savedCompressionNanos', label: 'compression' },
  { key: 'savedPromptCacheNanos', label: 'prompt caching' },
  { key: 'savedBatchNanos', label: 'batch & off-peak' },
  { key: 'savedBatchingNanos', label: 'prompt batching' },
];
