import type { TokenUsage } from '../wire/token-usage.js';

/** One request sent to a provider's batch API; `customId` is Frugal's (`l<line number>`), never the caller's. */
export interface NativeRequest {
  customId: string;
  /** The request body as the caller wrote it, its model already the upstream id. */
  body: Record<string, unknown>;
}

/** One result read back, already in OpenAI's shape. */
export interface NativeResult {
  customId: string;
  /** The HTTP status the request got (200 for an answer); undefined when it never ran (expired, cancelled). */
  statusCode: number | undefined;
  requestId: string;
  /** An OpenAI chat completion / embeddings response, or an OpenAI error body. */
  body: unknown;
  /** Set when the request never ran: batch_expired, batch_cancelled, … */
  error: { code: string; message: string } | null;
  /** What the provider billed, when it answered. */
  usage: TokenUsage | undefined;
}

export interface NativePoll {
  ended: boolean;
  /** The provider's own status word, for logs. */
  status: string;
  /** Why the whole upstream batch failed, when it did (every line then fails with it). */
  failure?: string;
}

/** A provider's batch API, as the batch lanes use it. Every call is one HTTP round trip or a stream of them. */
export interface NativeBatchClient {
  submit(requests: readonly NativeRequest[], endpoint: string, frugalBatchId: string): Promise<{ upstreamId: string; upstreamFileId: string | null }>;
  /**
   * The upstream batch an earlier submission of `frugalBatchId` created (its process killed before it stored the
   * id), looked for among batches created since `sinceMs`; undefined when there is none or the API cannot tell.
   */
  find(frugalBatchId: string, sinceMs: number): Promise<{ upstreamId: string; upstreamFileId: string | null; createdAt: number } | undefined>;
  poll(upstreamId: string): Promise<NativePoll>;
  results(upstreamId: string): AsyncIterable<NativeResult>;
  cancel(upstreamId: string): Promise<void>;
}

/** An upstream batch API answered with an error; `status` 404 means the batch is gone. */
export class NativeBatchError extends Error {
  constructor(
    readonly provider: string,
    readonly status: number,
    message: string,
  ) {
    super(`${provider} batch API: ${message}`);
    this.name = 'NativeBatchError';
  }
}

/** Lines of a JSONL body, read as it streams (a 200 MB results file never sits in memory whole). */
export async function* jsonLines(body: ReadableStream<Uint8Array> | null): AsyncIterable<unknown> {
  if (body === null) return;
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    rest += decoder.decode(chunk, { stream: true });
    let newline = rest.indexOf('\n');
    while (newline !== -1) {
      const line = rest.slice(0, newline).trim();
      rest = rest.slice(newline + 1);
      if (line !== '') yield JSON.parse(line);
      newline = rest.indexOf('\n');
    }
  }
  rest += decoder.decode();
  if (rest.trim() !== '') yield JSON.parse(rest);
}

/** A secret-free message from an upstream error response. */
export async function upstreamErrorMessage(response: Response, secrets: readonly (string | undefined)[]): Promise<string> {
  let text = await response.text().catch(() => '');
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string } | string };
    text = typeof parsed.error === 'string' ? parsed.error : (parsed.error?.message ?? text);
  } catch {
    // not JSON: keep the text
  }
  for (const secret of secrets) if (secret) text = text.replaceAll(secret, '[redacted]');
  return `${response.status} ${text.slice(0, 300)}`;
}
