import { randomUUID } from 'node:crypto';
import { recordRequest, type LedgerSink, type RowFacts } from '../ledger/ledger-row-builder.js';
import type { LedgerStatus } from '../ledger/ledger-row.js';
import { emptySpend, type CallMeta, type RequestContext, type SpendHold } from '../request/request-context.js';
import { responseText } from '../request/usage-estimate.js';
import type { ChatRequest } from '../wire/chat-types.js';
import type { OverheadCaller, OverheadKind } from '../request/overhead-caller.js';
import type { Handler } from './stage.js';

/**
 * Calls Frugal makes for itself — a judge, a reference answer, a shadow arm — through the route handler (so a
 * judge may be a route, and every attempt is priced by the model caller) under the quality budget's hold, never a
 * user's, and with one ledger row each tagged `overhead`: real spend, reported apart, never a saving.
 */
export function createOverheadCaller({ route, ledger, hold }: { route: Handler; ledger: LedgerSink | undefined; hold: SpendHold }): OverheadCaller {
  return async ({ overhead, model, request, of, experiment, signal }) => {
    const context: RequestContext = {
      requestId: `frg-${overhead}-${randomUUID()}`,
      startedAt: Date.now(),
      startedHr: performance.now(),
      // Never streamed: the answer is read whole; the caller's stream options do not apply.
      request: { ...request, model, stream: false, stream_options: undefined } as ChatRequest,
      keyId: of.keyId,
      key: undefined,
      spendHold: hold,
      user: null,
      tags: { ...of.tags },
      signal,
      taskHint: undefined,
      cacheHeader: undefined,
      maxCostUsd: undefined,
      cacheHit: undefined,
      compressedAwayTokens: 0,
      tokenReduction: null,
      compressionCostNanos: 0,
      needs: undefined,
      model: undefined,
      routeTrace: [],
      task: null,
      warnings: [],
      cacheStatus: null,
      spend: emptySpend(),
      responseHeaders: {},
    };
    const record = (meta: CallMeta | undefined, status: LedgerStatus, error: unknown) =>
      recordRequest(ledger, overheadFacts(context, model, meta, status, error, overhead, experiment));
    let outcome;
    try {
      outcome = await route(context);
    } catch (error) {
      record(undefined, 'error', error);
      throw error;
    }
    let text: string;
    if (outcome.kind === 'response') {
      text = responseText(outcome.response);
    } else {
      // A route that streams regardless (none today): read it whole.
      const parts: string[] = [];
      for await (const chunk of outcome.chunks) for (const choice of chunk.choices) if (typeof choice.delta?.content === 'string') parts.push(choice.delta.content);
      text = parts.join('');
    }
    const row = record(outcome.meta, 'ok', undefined);
    return { requestId: context.requestId, ts: context.startedAt, text, costNanos: row.costNanos, model: outcome.meta.model.name };
  };
}

function overheadFacts(
  context: RequestContext,
  requested: string,
  meta: CallMeta | undefined,
  status: LedgerStatus,
  error: unknown,
  overhead: OverheadKind,
  experiment: { name: string; arm: string } | undefined,
): RowFacts {
  return {
    requestId: context.requestId,
    startedAt: context.startedAt,
    startedHr: context.startedHr,
    keyId: context.keyId,
    user: null,
    tags: context.tags,
    requestedModel: requested,
    servedModel: meta?.model.name ?? context.model?.name ?? null,
    provider: meta?.provider ?? context.model?.provider ?? null,
    stream: false,
    spend: context.spend,
    // Overhead saves nothing: it is its own baseline.
    savings: undefined,
    ttftMs: null,
    status,
    error,
    cacheStatus: null,
    decision: { trace: context.routeTrace, task: null },
    tokenReduction: null,
    warnings: context.warnings,
    overhead,
    experiment: experiment ?? null,
  };
}
