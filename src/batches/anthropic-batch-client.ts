import type { ProviderSettings } from '../config/gateway-config.js';
import { FrugalError } from '../errors/frugal-error.js';
import { ANTHROPIC_VERSION } from '../providers/anthropic/anthropic-adapter.js';
import { convertAnthropicResponse } from '../providers/anthropic/convert-anthropic-response.js';
import { convertAnthropicUsage } from '../providers/anthropic/convert-anthropic-usage.js';
import { convertToAnthropicMessages } from '../providers/anthropic/convert-to-anthropic-messages.js';
import type { AnthropicResponse } from '../wire/anthropic/anthropic-types.js';
import type { ChatRequest } from '../wire/chat-types.js';
import { jsonLines, NativeBatchError, upstreamErrorMessage, type NativeBatchClient, type NativeResult } from './native-batch-client.js';
import { CANCELLED_MESSAGE, EXPIRED_MESSAGE } from './parse-batch-line.js';

interface MessageBatch {
  id: string;
  processing_status: 'in_progress' | 'canceling' | 'ended';
  results_url: string | null;
}

type BatchResult =
  | { type: 'succeeded'; message: AnthropicResponse }
  | { type: 'errored'; error: { type: 'error'; error: { type: string; message: string } } }
  | { type: 'canceled' }
  | { type: 'expired' };

/** Anthropic's error types as the HTTP statuses its Messages API answers them with. */
const STATUS_OF: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

/** An OpenAI chat request body → the `params` of one Message Batches request (the adapter's own translation). */
export function anthropicBatchParams(body: Record<string, unknown>, defaultMaxTokens: number | undefined): Record<string, unknown> {
  const { body: params } = convertToAnthropicMessages(body as unknown as ChatRequest, { defaultMaxTokens });
  delete (params as { stream?: unknown }).stream;
  return params as unknown as Record<string, unknown>;
}

/**
 * Anthropic's Message Batches API as a batch lane: requests translated from OpenAI's chat shape with the adapter's
 * own converter, results translated back to chat completions (and Anthropic's error types to OpenAI error bodies).
 */
export function createAnthropicBatchClient(settings: ProviderSettings, fetchImpl: typeof fetch = fetch, now: () => number = Date.now): NativeBatchClient {
  const base = `${(settings.baseUrl ?? 'https://api.anthropic.com').replace(/\/+$/, '').replace(/\/v1$/, '')}/v1/messages/batches`;
  const headers: Record<string, string> = { 'anthropic-version': ANTHROPIC_VERSION, ...settings.headers };
  if (settings.apiKey) headers['x-api-key'] = settings.apiKey;
  const secrets = [settings.apiKey];

  async function call(url: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetchImpl(url, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) }, signal: AbortSignal.timeout(120_000) });
    if (!response.ok) throw new NativeBatchError(settings.name, response.status, await upstreamErrorMessage(response, secrets));
    return response;
  }

  function toResult(upstreamId: string, customId: string, result: BatchResult): NativeResult {
    const base = { customId, requestId: `${upstreamId}:${customId}` };
    switch (result.type) {
      case 'succeeded':
        return {
          ...base,
          requestId: result.message.id ?? base.requestId,
          statusCode: 200,
          body: convertAnthropicResponse(result.message, Math.floor(now() / 1000)),
          error: null,
          usage: convertAnthropicUsage(result.message.usage),
        };
      case 'errored': {
        const { type, message } = result.error.error;
        return { ...base, statusCode: STATUS_OF[type] ?? 500, body: { error: { message, type, param: null, code: null } }, error: null, usage: undefined };
      }
      case 'canceled':
        return { ...base, statusCode: undefined, body: null, error: { code: 'batch_cancelled', message: CANCELLED_MESSAGE }, usage: undefined };
      default:
        return { ...base, statusCode: undefined, body: null, error: { code: 'batch_expired', message: EXPIRED_MESSAGE }, usage: undefined };
    }
  }

  return {
    // Message Batches carry no metadata to find a submission by: a kill -9 between submitting and storing the id can
    // submit again (README "Files and Batches API").
    async find() {
      return undefined;
    },
    async submit(requests, endpoint) {
      if (endpoint !== '/v1/chat/completions') throw new FrugalError('not_supported', `Anthropic's batch API runs chat completions only, not ${endpoint}.`);
      const payload = { requests: requests.map((request) => ({ custom_id: request.customId, params: request.body })) };
      const created = (await (await call(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) })).json()) as MessageBatch;
      return { upstreamId: created.id, upstreamFileId: null };
    },
    async poll(upstreamId) {
      const batch = (await (await call(`${base}/${encodeURIComponent(upstreamId)}`)).json()) as MessageBatch;
      return { ended: batch.processing_status === 'ended', status: batch.processing_status };
    },
    async *results(upstreamId) {
      const batch = (await (await call(`${base}/${encodeURIComponent(upstreamId)}`)).json()) as MessageBatch;
      const response = await call(batch.results_url ?? `${base}/${encodeURIComponent(upstreamId)}/results`);
      for await (const value of jsonLines(response.body)) {
        const line = value as { custom_id: string; result: BatchResult };
        yield toResult(upstreamId, line.custom_id, line.result);
      }
    },
    async cancel(upstreamId) {
      await call(`${base}/${encodeURIComponent(upstreamId)}/cancel`, { method: 'POST' });
    },
  };
}
