import type { ModelEntry } from '../config/gateway-config.js';
import { FrugalError } from '../errors/frugal-error.js';
import { toOpenAIError } from '../errors/to-openai-error.js';
import { anthropicBatchParams } from './anthropic-batch-client.js';
import { endLineHolds } from './batch-budget.js';
import type { BatchRuntime } from './batch-runtime.js';
import type { BatchLine, LineLane, LineResult, StoredBatch, UpstreamBatch } from './batch-types.js';
import { maybeFinalize } from './finalize-batch.js';
import { NativeBatchError, type NativeRequest, type NativeResult } from './native-batch-client.js';
import { holdRows } from './batch-ledger-rows.js';
import { nativeLineCostNanos, recordNativeLine } from './native-line-row.js';
import { lineRequestId } from './own-lane.js';
import { answeredLine, CANCELLED_MESSAGE, EXPIRED_MESSAGE, failedLine } from './parse-batch-line.js';
import { KEY_GONE_CODE, KEY_GONE_MESSAGE } from './batch-key.js';

type NativeLane = Exclude<LineLane, 'own' | 'none'>;

/** Frugal's id for a line upstream: the caller's custom_id may not fit a provider's rules (Anthropic: [A-Za-z0-9_-]{1,64}). */
export const upstreamCustomId = (lineNo: number) => `l${lineNo}`;
const lineNoOf = (customId: string) => (/^l\d+$/.test(customId) ? Number(customId.slice(1)) : undefined);

async function failLine(runtime: BatchRuntime, line: BatchLine, result: LineResult): Promise<void> {
  if (await runtime.store.completeLine(line.batchId, line.lineNo, result)) await endLineHolds(runtime.gateway.spendControl, line.batchId, line.lineNo, undefined);
}

/** A line's body as the provider's batch API takes it: the upstream model id, and for Anthropic the Messages shape. */
function upstreamBody(runtime: BatchRuntime, lane: NativeLane, line: BatchLine): Record<string, unknown> {
  const { config } = runtime.gateway;
  const body = line.body as Record<string, unknown>;
  const model = config.models.get(String(body.model));
  if (model === undefined) throw new FrugalError('model_not_found', `The model '${String(body.model)}' is no longer configured.`, { param: 'model' });
  const withModel = { ...body, model: model.upstream };
  return lane === 'anthropic_batch' ? anthropicBatchParams(withModel, config.providers.get(model.provider)?.defaultMaxTokens) : withModel;
}

/**
 * Sends a batch's lines for one provider to its batch API, once: a batch that already has an upstream for the
 * provider is left alone. A line the provider's API cannot take (an Anthropic translation refusing a parameter)
 * goes to the error file at once; a provider that refuses the whole submission (4xx) fails its lines, while a
 * transient failure (5xx, network) throws so the job is tried again.
 */
export async function submitNative(runtime: BatchRuntime, batchId: string, lane: NativeLane, provider: string): Promise<void> {
  const { store } = runtime;
  const batch = await store.getBatch(batchId);
  if (batch === undefined || batch.status !== 'in_progress') return;
  if ((await store.upstreams(batchId)).some((upstream) => upstream.provider === provider)) return;
  const lines = (await store.openLines(batchId, lane, runtime.settings.maxLines)).filter((line) => line.provider === provider && line.state === 'pending');
  const requests: NativeRequest[] = [];
  const sent: BatchLine[] = [];
  for (const line of lines) {
    try {
      requests.push({ customId: upstreamCustomId(line.lineNo), body: upstreamBody(runtime, lane, line) });
      sent.push(line);
    } catch (error) {
      const rendered = toOpenAIError(error);
      await failLine(runtime, line, answeredLine(line.customId, rendered.status, lineRequestId(batchId, line.lineNo), rendered.body, 0));
    }
  }
  if (requests.length > 0) {
    const client = runtime.nativeClient(lane, provider);
    // A submission that reached the provider before its process died (the id never stored): take it up, never resend.
    const earlier = await client.find(batchId, batch.createdAt);
    if (earlier !== undefined) {
      runtime.log.info({ batchId, provider, upstreamId: earlier.upstreamId }, 'found the provider batch an earlier submission created');
      await store.saveUpstream({ batchId, provider, lane, upstreamId: earlier.upstreamId, upstreamFileId: earlier.upstreamFileId, state: 'open', createdAt: earlier.createdAt });
      await store.markSubmitted(batchId, sent.map((line) => line.lineNo), earlier.upstreamId);
      await maybeFinalize(runtime, batchId);
      return;
    }
    // Nothing is sent under a key revoked or expired since the batch was accepted.
    if ((await runtime.keys?.inForce(batch)) === null) {
      for (const line of sent) await failLine(runtime, line, failedLine(line.customId, KEY_GONE_CODE, KEY_GONE_MESSAGE));
      await maybeFinalize(runtime, batchId);
      return;
    }
    let submitted;
    try {
      submitted = await client.submit(requests, batch.endpoint, batchId);
    } catch (error) {
      const refused = error instanceof NativeBatchError && error.status >= 400 && error.status < 500 && error.status !== 429;
      if (!refused) throw error;
      runtime.log.warn({ batchId, provider, err: error.message }, 'provider refused the batch submission');
      for (const line of sent) await failLine(runtime, line, failedLine(line.customId, 'upstream_refused', error.message));
      await maybeFinalize(runtime, batchId);
      return;
    }
    await store.saveUpstream({ batchId, provider, lane, upstreamId: submitted.upstreamId, upstreamFileId: submitted.upstreamFileId, state: 'open', createdAt: runtime.now() });
    await store.markSubmitted(batchId, sent.map((line) => line.lineNo), submitted.upstreamId);
    runtime.log.info({ batchId, provider, upstreamId: submitted.upstreamId, lines: sent.length }, 'batch lines sent to the provider batch API');
    // A cancel that came while the lines were on their way ended them here, but not upstream (it saw no upstream
    // yet): left alone, the provider would run and bill lines the caller was told were cancelled.
    await cancelIfBatchEnded(runtime, { batchId, provider, lane, upstreamId: submitted.upstreamId, upstreamFileId: submitted.upstreamFileId, state: 'open', createdAt: runtime.now() });
  }
  await maybeFinalize(runtime, batchId);
}

/**
 * Polls one upstream batch; once it has ended, maps every result back to its line (exactly once: a line already
 * done is skipped, so a collect repeated after a crash records nothing twice), writes each line's ledger row at
 * the batch price, settles its budget holds, and fails the lines the provider returned nothing for.
 */
export async function collectNative(runtime: BatchRuntime, upstream: UpstreamBatch): Promise<void> {
  const { store } = runtime;
  const client = runtime.nativeClient(upstream.lane, upstream.provider);
  let failure: string | undefined;
  let missing = { code: 'upstream_failed', message: 'The provider returned no result for this line.' };
  try {
    const poll = await client.poll(upstream.upstreamId);
    if (!poll.ended) {
      // The poller's second chance for the cancel above (an instance that died between submit and cancel).
      if (poll.status !== 'cancelling' && poll.status !== 'canceling') await cancelIfBatchEnded(runtime, upstream);
      return;
    }
    failure = poll.failure;
    // A cancelled upstream batch returns only what it ran; an expired one may leave lines out too.
    if (poll.status === 'cancelled' || poll.status === 'canceled') missing = { code: 'batch_cancelled', message: CANCELLED_MESSAGE };
    if (poll.status === 'expired') missing = { code: 'batch_expired', message: EXPIRED_MESSAGE };
  } catch (error) {
    if (!(error instanceof NativeBatchError && error.status === 404)) throw error;
    failure = `the provider no longer knows batch ${upstream.upstreamId}`;
  }
  const batch = await store.getBatch(upstream.batchId);
  if (batch === undefined) return;
  const lines = new Map<number, BatchLine>();
  // Lines ended here (a cancel) while their submission was on its way: sent, but never marked as sent. There is one
  // upstream per batch and provider, so a result naming one of them is the provider's answer to it.
  const endedBeforeSent = new Map<number, BatchLine>();
  for (const line of await store.lines(batch.id, 1, Number.MAX_SAFE_INTEGER)) {
    if (line.upstreamId === upstream.upstreamId) lines.set(line.lineNo, line);
    else if (line.upstreamId === null && line.state === 'done' && line.lane === upstream.lane && line.provider === upstream.provider) endedBeforeSent.set(line.lineNo, line);
  }
  const { config, spendControl } = runtime.gateway;
  if (failure === undefined) {
    for await (const result of client.results(upstream.upstreamId)) {
      const lineNo = lineNoOf(result.customId);
      const ended = lineNo === undefined ? undefined : endedBeforeSent.get(lineNo);
      if (ended !== undefined) {
        await recordLateLine(runtime, batch, ended, upstream, result);
        continue;
      }
      const line = lineNo === undefined ? undefined : lines.get(lineNo);
      if (line === undefined || line.state === 'done') continue;
      const model = config.models.get(String((line.body as { model?: unknown }).model));
      const costNanos = model ? nativeLineCostNanos(model, result.usage, upstream.createdAt) : 0;
      const outcome = result.error ? failedLine(line.customId, result.error.code, result.error.message) : answeredLine(line.customId, result.statusCode ?? 500, result.requestId, result.body, costNanos);
      const ran = result.statusCode !== undefined;
      // The row is built first and stored with the result (batch-ledger-rows.ts): a crash can neither lose it nor record it twice.
      const held = holdRows();
      if (ran && model) recordRanLine(runtime, batch, line, model, upstream, result, held.hold);
      if (!(await store.completeLine(batch.id, line.lineNo, outcome, held.rows()))) continue;
      line.state = 'done';
      runtime.rows?.releasedHere(held.rows());
      held.release();
      await endLineHolds(spendControl, batch.id, line.lineNo, ran ? costNanos : undefined);
    }
  }
  for (const line of lines.values()) {
    if (line.state !== 'done') await failLine(runtime, line, failedLine(line.customId, failure === undefined ? missing.code : 'upstream_failed', failure ?? missing.message));
  }
  await store.saveUpstream({ ...upstream, state: 'done' });
  await maybeFinalize(runtime, batch.id);
}

/**
 * A result for a line already reported cancelled: if the provider ran it, it billed it, so the line gets its one
 * ledger row at the batch price, kept with the line until the ledger has it, as every line's is. The caller's view
 * stays as reported — the line cancelled in the error file and the counts, which a cancelled batch may already have
 * been finalised with (its files are written once); the ledger is where the money is exact. The line's budget holds
 * were released when it was cancelled.
 */
async function recordLateLine(runtime: BatchRuntime, batch: StoredBatch, line: BatchLine, upstream: UpstreamBatch, result: NativeResult): Promise<void> {
  const { config } = runtime.gateway;
  const model = config.models.get(String((line.body as { model?: unknown }).model));
  if (result.statusCode === undefined || model === undefined) return;
  const held = holdRows();
  recordRanLine(runtime, batch, line, model, upstream, result, held.hold);
  if (!(await runtime.store.keepLateRows(batch.id, line.lineNo, upstream.upstreamId, held.rows()))) return;
  runtime.log.warn({ batchId: batch.id, line: line.lineNo, upstreamId: upstream.upstreamId }, 'the provider ran a line reported cancelled: its ledger row is recorded');
  runtime.rows?.releasedHere(held.rows());
  held.release();
}

/** The ledger row of a line the provider ran (answered or refused), at the batch price, kept by `hold` until stored. */
function recordRanLine(runtime: BatchRuntime, batch: StoredBatch, line: BatchLine, model: ModelEntry, upstream: UpstreamBatch, result: NativeResult, hold: Parameters<typeof recordNativeLine>[3]): void {
  const errorBody = (result.body as { error?: { message?: string; code?: string | null; type?: string } } | null)?.error;
  recordNativeLine(runtime.ledger, runtime.gateway.config, {
    batch,
    line,
    model,
    provider: upstream.provider,
    requestId: lineRequestId(batch.id, line.lineNo),
    acceptedAt: upstream.createdAt,
    usage: result.usage,
    statusCode: result.statusCode,
    errorCode: errorBody?.code ?? errorBody?.type ?? null,
    errorMessage: errorBody?.message ?? null,
  }, hold);
}

/** Asks the provider to cancel an open upstream batch (its results then arrive as cancelled lines). */
export async function cancelNative(runtime: BatchRuntime, upstream: UpstreamBatch): Promise<void> {
  await runtime.nativeClient(upstream.lane, upstream.provider).cancel(upstream.upstreamId);
}

/** Cancels an upstream batch whose Frugal batch is cancelling or already cancelled (best effort: polled again). */
async function cancelIfBatchEnded(runtime: BatchRuntime, upstream: UpstreamBatch): Promise<void> {
  const batch = await runtime.store.getBatch(upstream.batchId);
  if (batch?.status !== 'cancelling' && batch?.status !== 'cancelled') return;
  await cancelNative(runtime, upstream).catch((error: unknown) => runtime.log.warn({ err: error, upstreamId: upstream.upstreamId }, 'could not cancel an upstream batch of a cancelled batch'));
}
