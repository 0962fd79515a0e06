import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { FrugalError } from '../../errors/frugal-error.js';
import { type LoggedRequest, parseLoggedRequest } from './logged-request.js';

export interface ReadRequestLogOptions {
  /** Called after each line with bytes read so far and the file's size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/**
 * Streams a JSONL request log line by line (blank lines skipped), so a log larger than memory can be
 * replayed. Bytes are counted from the text (UTF-8) so progress needs no second look at the file.
 *
 * @example
 * for await (const logged of readRequestLog('requests.jsonl')) console.log(logged.request.model);
 */
export async function* readRequestLog(path: string, options: ReadRequestLogOptions = {}): AsyncGenerator<LoggedRequest> {
  let totalBytes: number;
  try {
    totalBytes = (await stat(path)).size;
  } catch (error) {
    throw new FrugalError('invalid_request', `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  let bytesRead = 0;
  try {
    for await (const text of lines) {
      line += 1;
      bytesRead += Buffer.byteLength(text) + 1;
      if (text.trim() !== '') yield parseLoggedRequest(text, line);
      options.onProgress?.(Math.min(bytesRead, totalBytes), totalBytes);
    }
  } finally {
    lines.close();
  }
}
