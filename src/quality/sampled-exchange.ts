import type { RouteQualitySettings } from '../config/quality-settings.js';
import type { ChatRequest } from '../wire/chat-types.js';

/**
 * What the reply path hands to the background for one sampled request: references, not copies (the request and
 * the answer text are not changed after the reply), so taking a sample costs the reply almost nothing. Redaction,
 * serialisation and writes happen later, off the path. The unredacted request lives only in memory, long enough
 * for a judge, a reference model or a shadow arm to be asked the same question.
 */
export interface SampledExchange {
  requestId: string;
  requestTs: number;
  /** The quality config name it matched (route or model); undefined when only a shadow arm wanted it. */
  route: string | undefined;
  settings: RouteQualitySettings | undefined;
  model: string | null;
  task: string | null;
  keyId: string | null;
  tags: Readonly<Record<string, string>>;
  request: ChatRequest;
  answer: string;
  experiment: { name: string; arm: string } | undefined;
  /** The candidate that answers a copy in the background (never served). */
  shadow: { experiment: string; name: string; model: string; judgeModel: string | undefined } | undefined;
}

/** Where the reply path drops a sampled exchange: synchronous, bounded, never throws, never waits. */
export interface ExchangeSink {
  offer(exchange: SampledExchange): void;
}
