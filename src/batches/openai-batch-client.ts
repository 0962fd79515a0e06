import type { ProviderSettings } from '../config/gateway-config.js';
import { usageFromOpenAI } from '../wire/token-usage.js';
import type { OpenAIUsage } from '../wire/chat-types.js';
import { jsonLines, NativeBatchError, upstreamErrorMessage, type NativeBatchClient, type NativeResult } from './native-batch-client.js';

const ENDED = new Set(['completed', 'failed', 'expired', 'cancelled']);

interface UpstreamBatch {
  id: string;
  status: string;
  input_file_id?: string;
  created_at?: number;
  metadata?: Record<string, string> | null;
  output_file_id?: string | null;
  error_file_id?: string | null;
  errors?: { data?: Array<{ message?: string }> } | null;
}

interface UpstreamLine {
  custom_id: string;
  response: { status_code: number; request_id: string; body: { usage?: OpenAIUsage } & Record<string, unknown> } | null;
  error: { code: string; message: string } | null;
}

/**
 * OpenAI's Files + Batches API as a batch lane: upload the lines as JSONL, create the batch, poll it, and read the
 * output and error files back. Works against any upstream speaking the same API (the provider's `base_url`).
 */
export function createOpenAIBatchClient(settings: ProviderSettings, fetchImpl: typeof fetch = fetch): NativeBatchClient {
  const base = (settings.baseUrl ?? 'https://api.openai.com/v1').replace(/\/+$/, '');
  const auth: Record<string, string> = { ...settings.headers };
  if (settings.apiKey) auth.authorization = `Bearer ${settings.apiKey}`;
  const secrets = [settings.apiKey];

  async function call(path: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetchImpl(`${base}${path}`, { ...init, headers: { ...auth, ...(init.headers as Record<string, string>) }, signal: AbortSignal.timeout(120_000) });
    if (!response.ok) throw new NativeBatchError(settings.name, response.status, await upstreamErrorMessage(response, secrets));
    return response;
  }

  async function* fileLines(fileId: string | null | undefined): AsyncIterable<NativeResult> {
    if (!fileId) return;
    const response = await call(`/files/${encodeURIComponent(fileId)}/content`);
    for await (const value of jsonLines(response.body)) {
      const line = value as UpstreamLine;
      const usage = line.response?.body?.usage;
      yield {
        customId: line.custom_id,
        statusCode: line.response?.status_code,
        requestId: line.response?.request_id ?? '',
        body: line.response?.body ?? null,
        error: line.error,
        usage: line.response && line.response.status_code < 300 && usage ? usageFromOpenAI(usage) : undefined,
      };
    }
  }

  return {
    async submit(requests, endpoint, frugalBatchId) {
      const jsonl = requests.map((request) => `${JSON.stringify({ custom_id: request.customId, method: 'POST', url: endpoint, body: request.body })}\n`).join('');
      const form = new FormData();
      form.append('purpose', 'batch');
      form.append('file', new Blob([jsonl], { type: 'application/jsonl' }), `${frugalBatchId}.jsonl`);
      const file = (await (await call('/files', { method: 'POST', body: form })).json()) as { id: string };
      const created = (await (
        await call('/batches', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          // Tagged so a submission whose id was never stored (kill -9) is found again rather than sent twice.
          body: JSON.stringify({ input_file_id: file.id, endpoint, completion_window: '24h', metadata: { frugal_batch_id: frugalBatchId, frugal_provider: settings.name } }),
        })
      ).json()) as UpstreamBatch;
      return { upstreamId: created.id, upstreamFileId: file.id };
    },
    async find(frugalBatchId, sinceMs) {
      // Newest first; stop at the first page that reaches back before the batch (a minute's slack for clock skew).
      for (let after: string | undefined; ; ) {
        const page = (await (await call(`/batches?limit=100${after ? `&after=${encodeURIComponent(after)}` : ''}`)).json()) as { data: UpstreamBatch[]; has_more?: boolean };
        for (const batch of page.data) {
          const tags = batch.metadata ?? {};
          if (tags.frugal_batch_id === frugalBatchId && (tags.frugal_provider ?? settings.name) === settings.name) {
            return { upstreamId: batch.id, upstreamFileId: batch.input_file_id ?? null, createdAt: (batch.created_at ?? 0) * 1000 };
          }
        }
        const oldest = page.data.at(-1);
        if (!page.has_more || oldest === undefined || (oldest.created_at ?? 0) * 1000 < sinceMs - 60_000) return undefined;
        after = oldest.id;
      }
    },
    async poll(upstreamId) {
      const batch = (await (await call(`/batches/${encodeURIComponent(upstreamId)}`)).json()) as UpstreamBatch;
      const failure = batch.status === 'failed' ? (batch.errors?.data?.map((error) => error.message).join('; ') || 'the upstream batch failed') : undefined;
      return { ended: ENDED.has(batch.status), status: batch.status, failure };
    },
    async *results(upstreamId) {
      const batch = (await (await call(`/batches/${encodeURIComponent(upstreamId)}`)).json()) as UpstreamBatch;
      yield* fileLines(batch.output_file_id);
      yield* fileLines(batch.error_file_id);
    },
    async cancel(upstreamId) {
      await call(`/batches/${encodeURIComponent(upstreamId)}/cancel`, { method: 'POST' });
    },
  };
}
