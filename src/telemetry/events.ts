import diagnosticsChannel from 'node:diagnostics_channel';
import type { LedgerRow } from '../ledger/ledger-row.js';

/**
 * Every named event the gateway publishes. Stages publish; Prometheus (and anything else) subscribes.
 * A stage never imports a metrics client. Publishing with no subscriber costs a property check.
 */
export const channels = {
  /** A request finished (any status): its complete ledger row. */
  requestFinished: diagnosticsChannel.channel('frugal:request:finished'),
  /** An upstream call failed (possibly retried or failed over). */
  upstreamError: diagnosticsChannel.channel('frugal:upstream:error'),
} as const;

export interface RequestFinishedEvent {
  row: LedgerRow;
}

export interface UpstreamErrorEvent {
  provider: string;
  model: string;
  code: string;
  status: number;
}

export function publishRequestFinished(event: RequestFinishedEvent): void {
  if (channels.requestFinished.hasSubscribers) channels.requestFinished.publish(event);
}

export function publishUpstreamError(event: UpstreamErrorEvent): void {
  if (channels.upstreamError.hasSubscribers) channels.upstreamError.publish(event);
}
