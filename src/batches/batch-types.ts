import type { CallerKey } from '../request/request-context.js';

/** Endpoints a batch may run, as OpenAI names them. */
export const BATCH_ENDPOINTS = ['/v1/chat/completions', '/v1/embeddings', '/v1/responses'] as const;
export type BatchEndpoint = (typeof BATCH_ENDPOINTS)[number];

export type BatchStatus = 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';

/** A file as the store keeps it; `owner` is the virtual key id ('' when keys are off). Times are ms since the epoch. */
export interface StoredFile {
  id: string;
  owner: string;
  filename: string;
  /** `batch` for uploads; `batch_output` for the output and error files Frugal writes. */
  purpose: string;
  bytes: number;
  createdAt: number;
  expiresAt: number | null;
}

/** One entry of OpenAI's `errors.data`: why a whole batch failed. */
export interface BatchFailure {
  code: string;
  message: string;
  param: string | null;
  line: number | null;
}

/** Who created a batch: what its lines run as, long after the HTTP request is gone (never a secret). */
export interface BatchCaller {
  keyId: string | null;
  key: CallerKey | null;
  tags: Record<string, string>;
}

export type BatchTimestamp = 'inProgressAt' | 'finalizingAt' | 'completedAt' | 'failedAt' | 'expiredAt' | 'cancellingAt' | 'cancelledAt';

export interface StoredBatch {
  id: string;
  owner: string;
  status: BatchStatus;
  endpoint: BatchEndpoint;
  inputFileId: string;
  completionWindow: string;
  metadata: Record<string, string> | null;
  createdAt: number;
  expiresAt: number;
  times: Partial<Record<BatchTimestamp, number>>;
  outputFileId: string | null;
  errorFileId: string | null;
  errors: BatchFailure[] | null;
  total: number;
  caller: BatchCaller;
}

/**
 * Where a line runs: Frugal's own lane (the real pipeline), a provider's native batch API, or nowhere (it failed
 * validation, or the exact cache answered it: those are `done` from the start).
 */
export type LineLane = 'own' | 'openai_batch' | 'anthropic_batch' | 'none';

export type LineState = 'pending' | 'running' | 'submitted' | 'done';

/** What one line produced, written once: the output (or error) file line and what it cost. */
export interface LineResult {
  /** True: the output file; false: the error file. */
  ok: boolean;
  /** The file line without its `id` (`batch_req_…`, added when the file is written). */
  line: { custom_id: string | null; response: { status_code: number; request_id: string; body: unknown } | null; error: { code: string; message: string } | null };
  costNanos: number;
}

export interface BatchLine {
  batchId: string;
  /** 1-based position in the input file. */
  lineNo: number;
  customId: string | null;
  lane: LineLane;
  /** The provider whose batch API runs it (native lanes). */
  provider: string | null;
  /** The request body (the line's `body`), JSON. */
  body: unknown;
  state: LineState;
  /** The upstream batch it was submitted in (native lanes). */
  upstreamId: string | null;
  result: LineResult | null;
}

export interface NewLine {
  lineNo: number;
  customId: string | null;
  lane: LineLane;
  provider: string | null;
  body: unknown;
  /** Set for lines done at once (invalid, or answered by the cache). */
  result?: LineResult;
}

export interface LineCounts {
  total: number;
  completed: number;
  failed: number;
  /** Not done yet (pending, running or submitted). */
  open: number;
}

/** A native batch submitted to a provider for one Frugal batch. */
export interface UpstreamBatch {
  batchId: string;
  provider: string;
  lane: Exclude<LineLane, 'own' | 'none'>;
  upstreamId: string;
  /** The uploaded input file (OpenAI), for clean-up. */
  upstreamFileId: string | null;
  /** open: poll it; done: its results are in. */
  state: 'open' | 'done';
  createdAt: number;
}

export interface Page<T> {
  data: T[];
  hasMore: boolean;
}
