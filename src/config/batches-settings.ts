import { z } from 'zod';

/** `batches:` — the Files and Batches API (README "Files and Batches API"). */
export const batchesSchema = z.strictObject({
  /** Off: /v1/files and /v1/batches answer 404. Needs the ledger (batch state sits beside it). */
  enabled: z.boolean().optional(),
  /** Own-lane jobs (a range of lines each) running at once on this instance. */
  concurrency: z.number().int().positive().max(256).optional(),
  /** Lines of one job running at once. */
  line_concurrency: z.number().int().positive().max(256).optional(),
  /** Lines per own-lane job. */
  chunk_lines: z.number().int().positive().max(10_000).optional(),
  /** How long a running line is its worker's before another may take it over (renewed while it runs). */
  line_lease_ms: z.number().int().min(100).optional(),
  /** How often provider batches are polled and expiries and cancellations looked at. */
  poll_interval_ms: z.number().int().min(10).optional(),
  /**
   * Own-lane lines run in the background lane (flex and off-peak prices within the batch's window, a share of each
   * deployment's RPM/TPM that yields to real-time traffic). False: they run as real-time calls.
   */
  background_lane: z.boolean().optional(),
  /** The largest input file, MB (OpenAI: 200). */
  max_file_mb: z.number().positive().max(2_048).optional(),
  /** The most lines one batch may hold (OpenAI: 50 000). */
  max_lines: z.number().int().positive().max(1_000_000).optional(),
});

export interface BatchesSettings {
  enabled: boolean;
  concurrency: number;
  lineConcurrency: number;
  chunkLines: number;
  leaseMs: number;
  pollIntervalMs: number;
  maxFileBytes: number;
  maxLines: number;
  backgroundLane: boolean;
}

export function batchesSettings(raw: z.infer<typeof batchesSchema> | undefined): BatchesSettings {
  return {
    enabled: raw?.enabled ?? true,
    concurrency: raw?.concurrency ?? 2,
    lineConcurrency: raw?.line_concurrency ?? 8,
    chunkLines: raw?.chunk_lines ?? 100,
    leaseMs: raw?.line_lease_ms ?? 10 * 60_000,
    pollIntervalMs: raw?.poll_interval_ms ?? 30_000,
    maxFileBytes: Math.round((raw?.max_file_mb ?? 200) * 1024 * 1024),
    maxLines: raw?.max_lines ?? 50_000,
    backgroundLane: raw?.background_lane ?? true,
  };
}
