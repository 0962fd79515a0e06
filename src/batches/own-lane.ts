import { randomUUID } from 'node:crypto';
import { FrugalError } from '../errors/frugal-error.js';
import { toOpenAIError } from '../errors/to-openai-error.js';
import type { Gateway } from '../pipeline/create-gateway.js';
import type { CallerContext, RowHold } from '../request/request-context.js';
import { runInternalRequest } from '../telemetry/internal-request-event.js';
import { chatToResponse, responseEnvelope } from '../wire/responses/chat-to-response.js';
import { responseIdOf } from '../wire/responses/response-ids.js';
import { checkResponsesRequest } from '../wire/responses/responses-request-schema.js';
import { inputItemsOf, responsesToChat, UnsupportedInputError, type ConversationItem } from '../wire/responses/responses-to-chat.js';
import type { BatchEndpoint, BatchLine, LineResult, StoredBatch } from './batch-types.js';
import { answeredLine } from './parse-batch-line.js';

/** A line's request id: fixed by batch and line, so its ledger row is recognisable (and never made twice). */
export const lineRequestId = (batchId: string, lineNo: number) => `frg-${batchId}-${lineNo}`;

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Runs one line through the real pipeline, exactly as the same request sent to its endpoint would run: key
 * permissions, routing, cache, budgets, retries and fallbacks, one ledger row (tagged with the batch id). A
 * failure becomes the line's error-file entry with the status and error body the endpoint would have answered.
 */
export async function runOwnLine(gateway: Gateway, batch: StoredBatch, line: BatchLine, options: { backgroundLane?: boolean; signal?: AbortSignal; holdRow?: RowHold } = {}): Promise<LineResult> {
  const requestId = lineRequestId(batch.id, line.lineNo);
  const caller: CallerContext = {
    key: batch.caller.key ?? undefined,
    keyId: batch.caller.keyId,
    tags: batch.caller.tags,
    requestId,
    batchId: batch.id,
    // Batch lines can wait: the background lane takes flex and off-peak prices within the batch's window and keeps
    // them to their share of each deployment's limits, yielding to real-time traffic.
    lane: options.backgroundLane === false ? undefined : { priority: 'background', deadline: `${laneDeadlineSeconds(gateway, batch)}s` },
    signal: options.signal,
    holdRow: options.holdRow,
  };
  try {
    const traced = { requestId, batchId: batch.id, body: line.body, operation: batch.endpoint === '/v1/embeddings' ? ('embeddings' as const) : ('chat' as const) };
    const { body, costNanos } = await runInternalRequest(traced, () => answer(gateway, batch.endpoint, line.body, caller));
    return answeredLine(line.customId, 200, requestId, body, costNanos);
  } catch (error) {
    const rendered = toOpenAIError(error);
    return answeredLine(line.customId, rendered.status, requestId, rendered.body, 0);
  }
}

/** What is left of the batch's window, within the lane's longest deadline (so no line is told its deadline was cut). */
function laneDeadlineSeconds(gateway: Gateway, batch: StoredBatch): number {
  const left = batch.expiresAt - Date.now();
  return Math.max(1, Math.floor(Math.min(left, gateway.config.lanes.background.maxDeadlineMs) / 1000));
}

async function answer(gateway: Gateway, endpoint: BatchEndpoint, body: unknown, caller: CallerContext): Promise<{ body: unknown; costNanos: number }> {
  if (endpoint === '/v1/embeddings') {
    const outcome = await gateway.embeddings(body, caller);
    return { body: outcome.response, costNanos: outcome.costNanos };
  }
  if (endpoint === '/v1/chat/completions') {
    const reply = await gateway.chat(body, caller);
    if (reply.kind !== 'response') throw new FrugalError('invalid_request', 'Batch lines cannot stream.', { param: 'stream' });
    return { body: reply.response, costNanos: reply.context.spend.costNanos };
  }
  const checked = checkResponsesRequest(body);
  if (!checked.ok) throw new FrugalError('invalid_request', checked.issue.message, { param: checked.issue.param });
  const request = checked.value;
  if (request.previous_response_id) throw new FrugalError('invalid_request', 'Batch lines cannot continue a stored response (previous_response_id).', { param: 'previous_response_id' });
  let chat;
  try {
    chat = responsesToChat(request, inputItemsOf(request) as ConversationItem[]);
  } catch (error) {
    if (error instanceof UnsupportedInputError) throw new FrugalError('invalid_request', error.message, { param: error.param });
    throw error;
  }
  const reply = await gateway.chat(chat, caller);
  if (reply.kind !== 'response') throw new FrugalError('invalid_request', 'Batch lines cannot stream.', { param: 'stream' });
  const envelope = responseEnvelope(request, responseIdOf(randomUUID().replaceAll('-', '')), nowSeconds());
  return { body: chatToResponse(reply.response, envelope, nowSeconds()), costNanos: reply.context.spend.costNanos };
}
