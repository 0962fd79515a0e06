import { describe, expect, it } from 'vitest';
import { FrugalError } from '../errors/frugal-error.js';
import { buildLedgerRow, type RowFacts } from './ledger-row-builder.js';

const facts = (over: Partial<RowFacts> = {}): RowFacts => ({
  requestId: 'r1',
  startedAt: 1_700_000_000_000,
  startedHr: performance.now(),
  keyId: 'key_1',
  user: null,
  tags: { feature: 'search' },
  requestedModel: 'auto',
  servedModel: 'cheap',
  provider: 'up',
  stream: false,
  spend: { promptTokens: 10, completionTokens: 5, cachedTokens: 0, cacheCreationTokens: 0, costNanos: 1_000, estimated: false },
  savings: { baselineNanos: 5_000, routingNanos: 4_000, cacheNanos: 0, compressionNanos: 0, promptCacheNanos: 0, callerChoiceNanos: 0 },
  ttftMs: 12.34567,
  status: 'ok',
  error: undefined,
  cacheStatus: 'miss',
  decision: { trace: ['auto', 'classify:code(complex:0.91)', 'cheap'], task: 'code' },
  tokenReduction: null,
  warnings: [],
  ...over,
});

describe('the ledger row builder', () => {
  it('writes the decision as recorded, never parsed back from the trace', () => {
    const row = buildLedgerRow(facts());
    expect(row).toMatchObject({ routeTrace: 'auto>classify:code(complex:0.91)>cheap', task: 'code', savedNanos: 4_000, savedRoutingNanos: 4_000, baselineNanos: 5_000, httpStatus: 200, errorCode: null, ttftMs: 12.346 });
    expect(buildLedgerRow(facts({ decision: { trace: [], task: null } }))).toMatchObject({ routeTrace: null, task: null });
  });

  it('measures a request without savings against itself', () => {
    expect(buildLedgerRow(facts({ savings: undefined }))).toMatchObject({ baselineNanos: 1_000, savedNanos: 0, savedRoutingNanos: 0 });
  });

  it("records a failure's status and code, preferring the upstream's own code", () => {
    const upstream = new FrugalError('upstream_error', 'too long', { upstreamCode: 'context_length_exceeded', status: 400 });
    expect(buildLedgerRow(facts({ status: 'error', error: upstream }))).toMatchObject({ httpStatus: 400, errorCode: 'context_length_exceeded' });
    expect(buildLedgerRow(facts({ status: 'error', error: new Error('bug') }))).toMatchObject({ httpStatus: 500, errorCode: 'internal_error' });
    expect(buildLedgerRow(facts({ status: 'client_aborted', error: undefined }))).toMatchObject({ httpStatus: 499, errorCode: 'client_aborted' });
    // The client leaving cancels the upstream call; what that cancellation turned into is not the row's code.
    const cancelled = new FrugalError('upstream_timeout', "Call to provider 'mock' was cancelled.", { retryable: true });
    expect(buildLedgerRow(facts({ status: 'client_aborted', error: cancelled }))).toMatchObject({ httpStatus: 499, errorCode: 'client_aborted' });
    expect(buildLedgerRow(facts({ status: 'client_aborted', error: new FrugalError('shutdown', 'draining') }))).toMatchObject({ errorCode: 'shutdown' });
  });
});
