import { createHash } from 'node:crypto';
import type { LineCounts, LineResult, StoredBatch, StoredFile } from './batch-types.js';

const seconds = (ms: number | undefined) => (ms === undefined ? null : Math.floor(ms / 1000));

/** A stored file as OpenAI's File object. */
export function fileObject(file: StoredFile) {
  return {
    id: file.id,
    object: 'file' as const,
    bytes: file.bytes,
    created_at: seconds(file.createdAt)!,
    expires_at: file.expiresAt === null ? null : seconds(file.expiresAt),
    filename: file.filename,
    purpose: file.purpose,
    status: 'processed' as const,
    status_details: null,
  };
}

/** A stored batch as OpenAI's Batch object, its counts read from the lines. */
export function batchObject(batch: StoredBatch, counts: LineCounts) {
  const { times } = batch;
  return {
    id: batch.id,
    object: 'batch' as const,
    endpoint: batch.endpoint,
    errors: batch.errors === null ? null : { object: 'list', data: batch.errors },
    input_file_id: batch.inputFileId,
    completion_window: batch.completionWindow,
    status: batch.status,
    output_file_id: batch.outputFileId,
    error_file_id: batch.errorFileId,
    created_at: seconds(batch.createdAt)!,
    in_progress_at: seconds(times.inProgressAt),
    expires_at: seconds(batch.expiresAt),
    finalizing_at: seconds(times.finalizingAt),
    completed_at: seconds(times.completedAt),
    failed_at: seconds(times.failedAt),
    expired_at: seconds(times.expiredAt),
    cancelling_at: seconds(times.cancellingAt),
    cancelled_at: seconds(times.cancelledAt),
    // A batch still validating has not counted its lines yet.
    request_counts: { total: Math.max(batch.total, counts.total), completed: counts.completed, failed: counts.failed },
    metadata: batch.metadata,
  };
}

/**
 * The `batch_req_…` id of a line: derived from the batch id and line number, so a file written twice (a finalize
 * retried after a crash) is byte-identical.
 */
export function batchRequestId(batchId: string, lineNo: number): string {
  return `batch_req_${createHash('sha256').update(`${batchId}\n${lineNo}`).digest('hex').slice(0, 32)}`;
}

/** One line of an output or error file, in OpenAI's field order: id, custom_id, response, error. */
export function fileLine(batchId: string, lineNo: number, result: LineResult): string {
  const { line } = result;
  return `${JSON.stringify({ id: batchRequestId(batchId, lineNo), custom_id: line.custom_id, response: line.response, error: line.error })}\n`;
}
