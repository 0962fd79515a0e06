import type { Attributes } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_TYPE,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_CHOICE_COUNT,
  ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY,
  ATTR_GEN_AI_REQUEST_SEED,
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_K,
  ATTR_GEN_AI_REQUEST_TOP_P,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '@opentelemetry/semantic-conventions/incubating';
import { FrugalError } from '../../errors/frugal-error.js';
import type { LedgerRow } from '../../ledger/ledger-row.js';
import type { RoutingEvent } from '../../routing/route-node.js';
import type { TokenUsage } from '../../wire/token-usage.js';
import { toAnthropicStopReason } from '../../wire/anthropic/chat-response-to-messages.js';
import type { FinishReason } from '../../wire/chat-types.js';
import type { RouteDecisionEvent } from '../events.js';
import { scrubCredentials } from '../../errors/scrub-credentials.js';
import { MAX_CLIENT_TEXT, requestParametersOf, type RequestParameters } from '../request-parameters.js';
import type { UpstreamAttemptEvent } from '../upstream-attempt-event.js';
import type { UpstreamPeer } from '../upstream-peer.js';

/**
 * Span attributes: the OpenTelemetry GenAI conventions (names from @opentelemetry/semantic-conventions, so a
 * rename there is a compile error here) plus Frugal's own under `frugal.`. Pure functions of events and rows:
 * no prompt or answer text ever reaches them, and of a key only its public id.
 */
export const FRUGAL = {
  routeTrace: 'frugal.route.trace',
  cacheStatus: 'frugal.cache.status',
  costUsd: 'frugal.cost_usd',
  savingsUsd: 'frugal.savings_usd',
  keyId: 'frugal.key_id',
  /** The provider's name in Frugal's config; gen_ai.provider.name is its well-known name (openai, anthropic…). */
  provider: 'frugal.provider',
  requestId: 'frugal.request_id',
  task: 'frugal.task',
  status: 'frugal.status',
  model: 'frugal.model',
  tokensEstimated: 'frugal.tokens_estimated',
  cancelled: 'frugal.attempt.cancelled',
  batchId: 'frugal.batch_id',
} as const;

// Cost attributes are USD doubles for dashboards; the ledger keeps the exact integer nano-dollars.
const usd = (nanos: number) => nanos / 1e9;
/**
 * An attempt's attributes at its start. `peer` is what the provider's adapter said last time (the adapter says it
 * again as it sends, see peerAttributes); until a provider has spoken, its config name stands in.
 */
export function attemptStartAttributes(event: UpstreamAttemptEvent, peer: UpstreamPeer | undefined): Attributes {
  return {
    [ATTR_GEN_AI_OPERATION_NAME]: event.operation,
    [ATTR_GEN_AI_PROVIDER_NAME]: event.provider,
    ...(peer === undefined ? {} : peerAttributes(peer)),
    [ATTR_GEN_AI_REQUEST_MODEL]: event.upstreamModel,
    [ATTR_GEN_AI_REQUEST_STREAM]: event.stream,
    ...parameterAttributes(event.parameters),
    [FRUGAL.provider]: event.provider,
    [FRUGAL.model]: event.model,
    [FRUGAL.requestId]: event.requestId,
  };
}

export function peerAttributes(peer: UpstreamPeer): Attributes {
  const attributes: Attributes = { [ATTR_GEN_AI_PROVIDER_NAME]: peer.genAiProvider };
  if (peer.address !== undefined) attributes[ATTR_SERVER_ADDRESS] = peer.address;
  if (peer.address !== undefined && peer.port !== undefined) attributes[ATTR_SERVER_PORT] = peer.port;
  return attributes;
}

function parameterAttributes(parameters: RequestParameters): Attributes {
  const attributes: Attributes = {};
  const set = (name: string, value: number | string | string[] | undefined) => {
    if (value !== undefined) attributes[name] = value;
  };
  set(ATTR_GEN_AI_REQUEST_MAX_TOKENS, parameters.maxTokens);
  set(ATTR_GEN_AI_REQUEST_TEMPERATURE, parameters.temperature);
  set(ATTR_GEN_AI_REQUEST_TOP_P, parameters.topP);
  set(ATTR_GEN_AI_REQUEST_TOP_K, parameters.topK);
  set(ATTR_GEN_AI_REQUEST_STOP_SEQUENCES, parameters.stopSequences);
  set(ATTR_GEN_AI_REQUEST_SEED, parameters.seed);
  set(ATTR_GEN_AI_REQUEST_CHOICE_COUNT, parameters.choiceCount);
  set(ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY, parameters.frequencyPenalty);
  set(ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY, parameters.presencePenalty);
  set(ATTR_GEN_AI_OUTPUT_TYPE, parameters.outputType);
  return attributes;
}

export function attemptEndAttributes(event: UpstreamAttemptEvent): Attributes {
  const attributes: Attributes = { ...usageAttributes(event.usage), [FRUGAL.costUsd]: usd(event.costNanos) };
  if (event.responseModel !== undefined) attributes[ATTR_GEN_AI_RESPONSE_MODEL] = event.responseModel;
  if (event.responseId !== undefined) attributes[ATTR_GEN_AI_RESPONSE_ID] = event.responseId;
  // The provider's own reasons on the attempt, as the GenAI conventions ask (Anthropic's end_turn, not stop).
  if (event.providerFinishReasons.length > 0) attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = Array.from(event.providerFinishReasons, (reason) => reason ?? 'none');
  if (event.stream && event.firstChunkMs !== null) attributes[ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = event.firstChunkMs / 1000;
  if (event.cancelled) attributes[FRUGAL.cancelled] = true;
  else if (event.error !== undefined) attributes[ATTR_ERROR_TYPE] = errorType(event.error);
  return attributes;
}

function usageAttributes(usage: TokenUsage | undefined): Attributes {
  if (usage === undefined) return {};
  return {
    [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: usage.promptTokens,
    [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: usage.completionTokens,
    [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: usage.cachedPromptTokens,
    [ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]: usage.cacheCreationTokens,
    [ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]: usage.reasoningTokens,
    [FRUGAL.tokensEstimated]: usage.estimated,
  };
}

/** The request as a whole, from its ledger row: tokens and cost over every attempt, what was served, what was saved. */
export function rowAttributes(row: LedgerRow): Attributes {
  const attributes: Attributes = {
    [FRUGAL.requestId]: row.id,
    [FRUGAL.status]: row.status,
    [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: row.promptTokens,
    [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: row.completionTokens,
    [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: row.cachedTokens,
    [ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]: row.cacheCreationTokens,
    [FRUGAL.tokensEstimated]: row.tokensEstimated,
    [FRUGAL.costUsd]: usd(row.costNanos),
    [FRUGAL.savingsUsd]: usd(row.savedNanos),
  };
  if (row.servedModel !== null) attributes[ATTR_GEN_AI_RESPONSE_MODEL] = row.servedModel;
  // gen_ai.provider.name comes from the attempt that served (its adapter knows the provider); this is the config name.
  if (row.provider !== null) attributes[FRUGAL.provider] = row.provider;
  if (row.routeTrace !== null) attributes[FRUGAL.routeTrace] = row.routeTrace;
  if (row.cacheStatus !== null) attributes[FRUGAL.cacheStatus] = row.cacheStatus;
  if (row.keyId !== null) attributes[FRUGAL.keyId] = row.keyId;
  if (row.task !== null) attributes[FRUGAL.task] = row.task;
  if (row.batchId !== null) attributes[FRUGAL.batchId] = row.batchId;
  if (row.stream && row.ttftMs !== null) attributes[ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = row.ttftMs / 1000;
  if (row.errorCode !== null) attributes[ATTR_ERROR_TYPE] = row.errorCode;
  return attributes;
}

/** Model and sampling parameters of an inbound body (chat, responses, messages or embeddings); never its content. */
export function requestBodyAttributes(body: unknown): Attributes {
  if (typeof body !== 'object' || body === null) return {};
  const fields = body as Record<string, unknown>;
  const attributes: Attributes = parameterAttributes(requestParametersOf(fields));
  // The caller's text: a key pasted as the model is not exported.
  if (typeof fields.model === 'string') attributes[ATTR_GEN_AI_REQUEST_MODEL] = scrubCredentials(fields.model).slice(0, MAX_CLIENT_TEXT);
  if (typeof fields.stream === 'boolean') attributes[ATTR_GEN_AI_REQUEST_STREAM] = fields.stream;
  return attributes;
}

/**
 * The request's finish reasons in the shape its caller was answered in: a Messages caller got Anthropic stop reasons
 * (end_turn, max_tokens, tool_use), whatever the upstream was; every other door answers with OpenAI's.
 */
export function finishReasonsForCaller(route: string, reasons: readonly string[]): string[] {
  if (!route.endsWith('/messages')) return [...reasons];
  return reasons.map((reason) => (reason === 'none' ? reason : toAnthropicStopReason(reason as FinishReason)));
}

/** A span event per routing decision: `frugal.route.escalation`, `.fallback`, `.hedge`, `.skip`. */
export function routingEventOf(event: RoutingEvent): { name: string; attributes: Attributes } {
  const name = `frugal.route.${event.type}`;
  switch (event.type) {
    case 'escalation':
    case 'fallback':
      return { name, attributes: { 'frugal.route': event.route, 'frugal.from': event.from, 'frugal.reason': event.reason } };
    case 'hedge':
      return { name, attributes: { 'frugal.route': event.route, 'frugal.primary': event.primary, 'frugal.hedge': event.hedge, 'frugal.winner': event.winner } };
    case 'skip':
      return { name, attributes: { 'frugal.route': event.route, [FRUGAL.model]: event.model, 'frugal.reason': event.reason } };
  }
}

export function routeDecisionOf(event: RouteDecisionEvent): { name: string; attributes: Attributes } {
  const attributes: Attributes = { 'frugal.route': event.route, [FRUGAL.model]: event.model, [FRUGAL.routeTrace]: event.trace };
  if (event.task !== null) attributes[FRUGAL.task] = event.task;
  return { name: 'frugal.route.decision', attributes };
}

/** error.type: the catalog code (or the upstream's own code), never the message, which may quote the upstream. */
export function errorType(error: unknown): string {
  if (error instanceof FrugalError) return error.upstreamCode ?? error.code;
  return error instanceof Error ? error.name : 'unknown';
}
