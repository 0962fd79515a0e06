import type { GatewayConfig } from '../../config/gateway-config.js';
import { decide } from '../../quality/hash-unit.js';
import type { ExchangeSink, SampledExchange } from '../../quality/sampled-exchange.js';
import type { ChatOutcome } from '../../request/request-context.js';
import { collectChunkText, responseText } from '../../request/usage-estimate.js';
import type { ChatChunk } from '../../wire/chat-types.js';
import type { Stage } from '../stage.js';

/**
 * Opt-in per route or model (`quality.routes`), and for experiments with a shadow arm: hands a sampled request and
 * its answer to the background (samples, judges, shadow calls). The decision is a seeded hash of the request id;
 * a request not sampled costs one hash, a sampled one a few references (a stream: its text parts as they pass).
 * Nothing here waits on the background, so judges never delay a reply. Undefined when nothing is configured.
 */
export function qualitySampleStage(config: GatewayConfig, sink: ExchangeSink): Stage | undefined {
  const { quality } = config;
  const shadows = new Map(config.experiments.flatMap((experiment) => (experiment.shadow ? [[experiment.name, { experiment: experiment.name, ...experiment.shadow }] as const] : [])));
  if (quality.routes.size === 0 && shadows.size === 0) return undefined;
  const { seed } = quality;

  return async (context, next) => {
    // The request as the caller sent it (later stages may compress it): judges and shadows see the same question.
    const original = context.request;
    const outcome = await next();
    const requested = context.experiment?.route ?? (typeof original.model === 'string' ? original.model : '');
    const served = outcome.meta.model.name;
    const route = quality.routes.has(requested) ? requested : quality.routes.has(served) ? served : undefined;
    const settings = route === undefined ? undefined : quality.routes.get(route);
    const sampled = settings !== undefined && decide(seed, 'sample', context.requestId, settings.sample);
    const shadowSettings = context.experiment && shadows.get(context.experiment.name);
    const shadow = shadowSettings && decide(seed, 'shadow', context.requestId, shadowSettings.sample) ? shadowSettings : undefined;
    if (!sampled && shadow === undefined) return outcome;
    const exchange = (answer: string): SampledExchange => ({
      requestId: context.requestId,
      requestTs: context.startedAt,
      route: sampled ? route : undefined,
      settings: sampled ? settings : undefined,
      model: served,
      task: context.task,
      keyId: context.keyId,
      tags: context.tags,
      request: original,
      answer,
      experiment: context.experiment && { name: context.experiment.name, arm: context.experiment.arm },
      shadow: shadow && { experiment: shadow.experiment, name: shadow.name, model: shadow.model, judgeModel: shadow.judgeModel },
    });
    if (outcome.kind === 'response') {
      sink.offer(exchange(responseText(outcome.response)));
      return outcome;
    }
    return { ...outcome, chunks: sampledStream(outcome, (text) => sink.offer(exchange(text))) };
  };
}

/** The stream unchanged; its text handed over once it completed (an aborted or failed stream is not a sample). */
async function* sampledStream(outcome: Extract<ChatOutcome, { kind: 'stream' }>, done: (text: string) => void): AsyncGenerator<ChatChunk> {
  const parts: string[] = [];
  for await (const chunk of outcome.chunks) {
    collectChunkText(chunk, parts);
    yield chunk;
  }
  if (outcome.meta.streamCompleted) done(parts.join(''));
}

