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
  /** A routing decision was made: which route, task and model served, and what it took. */
  routeDecision: diagnosticsChannel.channel('frugal:route:decision'),
  /** Escalations, fallbacks, hedges, skipped models, as they happen. */
  routingEvent: diagnosticsChannel.channel('frugal:route:event'),
  /** Variable content came before a long static block: provider prompt caches cannot reuse it. */
  promptOrder: diagnosticsChannel.channel('frugal:prompt:order'),
  /** The response cache could not be read or written (served as a miss). */
  cacheError: diagnosticsChannel.channel('frugal:cache:error'),
  /** A deployment's circuit breaker changed state. */
  circuitState: diagnosticsChannel.channel('frugal:circuit:state'),
  /** The ledger database refused a row even written alone: it went to the quarantine file (dropped without one). */
  ledgerRowQuarantined: diagnosticsChannel.channel('frugal:ledger:quarantined'),
  /** A provider billed a call more than its worst case (the budget hold): it ignored max_tokens or counts differently. */
  budgetOvershoot: diagnosticsChannel.channel('frugal:budget:overshoot'),
  /**
   * One upstream call (cascade tier, retry, hedge, fallback, judge) begins: the call runs inside
   * `runStores` of this channel, so a tracer can bind its context to it (see runUpstreamAttempt).
   */
  upstreamAttemptStart: diagnosticsChannel.channel('frugal:upstream:attempt:start'),
  /** The same call ended (answered, failed, or its stream finished): the event of its start, filled in. */
  upstreamAttemptEnd: diagnosticsChannel.channel('frugal:upstream:attempt:end'),
  /** A request Frugal runs on its own behalf (a batch line) begins: it runs bound to this channel's stores. */
  internalRequestStart: diagnosticsChannel.channel('frugal:internal:request:start'),
  /** The same request ended (its ledger row is published by then). */
  internalRequestEnd: diagnosticsChannel.channel('frugal:internal:request:end'),
  /** An adapter is sending a request, inside the current attempt: who it talks to (see upstream-peer.ts). */
  upstreamPeer: diagnosticsChannel.channel('frugal:upstream:peer'),
} as const;

export interface RouteDecisionEvent {
  route: string;
  task: string | null;
  model: string;
  trace: string;
}

export interface CircuitStateEvent {
  deployment: string;
  state: 'closed' | 'open' | 'half_open';
}

export function publish(channel: diagnosticsChannel.Channel, event: unknown): void {
  if (channel.hasSubscribers) channel.publish(event);
}

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

export interface BudgetOvershootEvent {
  requestId: string;
  /** Configured model and provider names (bounded sets), never client input. */
  model: string;
  provider: string;
  boundNanos: number;
  actualNanos: number;
}

export function publishBudgetOvershoot(event: BudgetOvershootEvent): void {
  if (channels.budgetOvershoot.hasSubscribers) channels.budgetOvershoot.publish(event);
}

export interface LedgerRowQuarantinedEvent {
  rowId: string;
  reason: string;
}

export function publishLedgerRowQuarantined(event: LedgerRowQuarantinedEvent): void {
  if (channels.ledgerRowQuarantined.hasSubscribers) channels.ledgerRowQuarantined.publish(event);
}
